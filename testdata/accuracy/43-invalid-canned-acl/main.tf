resource "aws_s3_bucket" "b" {
  bucket = "example-bad-acl"
  acl    = "public"
}
