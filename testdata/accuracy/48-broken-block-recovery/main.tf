resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({ Statement = [ })
}

resource "aws_s3_bucket" "b" {
  bucket = "example-recover"
  acl    = "public-read"
}
