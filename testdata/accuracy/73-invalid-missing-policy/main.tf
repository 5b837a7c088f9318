resource "aws_s3_bucket" "b" {
  bucket = "example-no-policy-argument"
}

resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
}
