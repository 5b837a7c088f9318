variable "name" {
  type = string
}

resource "aws_s3_bucket" "data" {
  bucket = var.name
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = var.name
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}
