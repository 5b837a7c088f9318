resource "aws_s3_account_public_access_block" "this" {
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

resource "aws_organizations_policy" "guardrails" {
  name = "guardrails"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Deny"
      Action   = "s3:PutAccountPublicAccessBlock"
      Resource = "arn:aws:s3:::acme-logs"
    }]
  })
}
