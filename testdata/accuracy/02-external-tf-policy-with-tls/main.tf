variable "bucket" {
  type = string
}

resource "aws_s3_bucket_policy" "shared" {
  bucket = var.bucket
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["arn:aws:s3:::${var.bucket}", "arn:aws:s3:::${var.bucket}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }]
  })
}
