resource "aws_s3_bucket" "b" {
  count  = 0
  bucket = "example-never"
  acl    = "public-read"
}
