# Values only known at plan time: nothing here may produce a finding by itself.

variable "bucket_name" {
  type = string
}

variable "acl" {
  type = string
}

variable "policy_json" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_acl" "this" {
  bucket = aws_s3_bucket.this.id
  acl    = var.acl
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = var.policy_json
}

resource "aws_s3_bucket_public_access_block" "other" {
  bucket                  = var.bucket_name
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}
