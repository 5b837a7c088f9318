# A bucket that passes every default rule.

resource "aws_s3_bucket" "vault" {
  bucket = "acme-vault"
}

resource "aws_s3_bucket" "vault_logs" {
  bucket = "acme-vault-logs"
}

resource "aws_s3_bucket_public_access_block" "vault" {
  bucket                  = aws_s3_bucket.vault.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "vault_logs" {
  bucket                  = aws_s3_bucket.vault_logs.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "vault" {
  bucket = aws_s3_bucket.vault.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "vault_logs" {
  bucket = aws_s3_bucket.vault_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "vault" {
  bucket = aws_s3_bucket.vault.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "alias/vault"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "vault_logs" {
  bucket = aws_s3_bucket.vault_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_logging" "vault" {
  bucket        = aws_s3_bucket.vault.id
  target_bucket = aws_s3_bucket.vault_logs.id
  target_prefix = "vault/"
}

data "aws_iam_policy_document" "tls_only" {
  for_each = {
    vault      = aws_s3_bucket.vault.arn
    vault_logs = aws_s3_bucket.vault_logs.arn
  }
  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value, "${each.value}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "vault" {
  bucket = aws_s3_bucket.vault.id
  policy = data.aws_iam_policy_document.tls_only["vault"].json
}

resource "aws_s3_bucket_policy" "vault_logs" {
  bucket = aws_s3_bucket.vault_logs.id
  policy = data.aws_iam_policy_document.tls_only["vault_logs"].json
}
