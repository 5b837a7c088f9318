resource "aws_s3_bucket" "b" {
  bucket = "example-enforced"
}

resource "aws_s3_bucket_ownership_controls" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_object" "index" {
  bucket  = aws_s3_bucket.b.id
  key     = "index.html"
  content = "hello"
  acl     = "public-read"
}
