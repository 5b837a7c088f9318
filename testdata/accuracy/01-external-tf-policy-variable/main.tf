variable "bucket" {
  type = string
}

resource "aws_s3_bucket_policy" "shared" {
  bucket = var.bucket
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::${var.bucket}/*"
    }]
  })
}
