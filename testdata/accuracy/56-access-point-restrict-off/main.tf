resource "aws_s3_bucket" "b" {
  bucket = "example-ap"
}

resource "aws_s3_access_point" "ap" {
  bucket = aws_s3_bucket.b.id
  name   = "partner"

  public_access_block_configuration {
    block_public_acls       = true
    ignore_public_acls      = true
    block_public_policy     = true
    restrict_public_buckets = false
  }
}
