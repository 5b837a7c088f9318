resource "aws_s3_bucket" "b" {
  bucket = "example-object"
}

resource "aws_s3_object" "index" {
  bucket  = aws_s3_bucket.b.id
  key     = "index.html"
  content = "hello"
  acl     = "public-read"
}
