variable "ownership" {
  type = string
}

resource "aws_s3_bucket" "b" {
  bucket = "example-ownership"
}

resource "aws_s3_bucket_ownership_controls" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    object_ownership = var.ownership
  }
}

resource "aws_s3_bucket_acl" "b" {
  bucket = aws_s3_bucket.b.id
  acl    = "public-read"
}
