resource "aws_s3_bucket" "b" {
  bucket = "example-bad-ownership"
}

resource "aws_s3_bucket_ownership_controls" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    object_ownership = "BucketOwner"
  }
}
