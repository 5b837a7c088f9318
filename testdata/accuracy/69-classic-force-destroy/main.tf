resource "aws_s3_bucket" "b" {
  bucket        = "example-destroy"
  force_destroy = true
}
