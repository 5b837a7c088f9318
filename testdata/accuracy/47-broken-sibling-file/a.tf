resource "aws_s3_bucket" "b" {
  bucket = "example-broken"
  acl    = "public-read-write"
}
