variable "acl" {
  type = string
}

resource "aws_s3_bucket" "b" {
  bucket = "example-unknown-acl"
  acl    = var.acl
}
