# Bucket policies assembled from statement fragments with merge() and jsonencode().

variable "public_downloads" {
  description = "Serve the downloads bucket to anonymous users"
  type        = bool
  default     = true
}

locals {
  policy_base = {
    Version = "2012-10-17"
  }

  deny_insecure_transport = {
    for name, bucket in {
      downloads = aws_s3_bucket.downloads
      reports   = aws_s3_bucket.reports
      } : name => {
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [bucket.arn, "${bucket.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }
  }
}

resource "aws_s3_bucket" "downloads" {
  bucket = "acme-downloads"
}

resource "aws_s3_bucket_policy" "downloads" {
  bucket = aws_s3_bucket.downloads.id
  policy = jsonencode(merge(local.policy_base, {
    Statement = concat(
      [local.deny_insecure_transport["downloads"]],
      var.public_downloads ? [{
        Sid       = "AnonymousDownloads"
        Effect    = "Allow"
        Principal = "*"
        Action    = ["s3:GetObject"]
        Resource  = "${aws_s3_bucket.downloads.arn}/*"
      }] : [],
    )
  }))
}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = aws_s3_bucket.reports.id
  policy = jsonencode(merge(local.policy_base, {
    Statement = [local.deny_insecure_transport["reports"]]
  }))
}
