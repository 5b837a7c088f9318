resource "aws_s3_bucket_acl" "x" {
  acl = "private"
  bucket =
