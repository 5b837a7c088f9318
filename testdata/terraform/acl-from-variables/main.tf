# A static website and an upload area whose ACLs are inputs.

variable "website_acl" {
  description = "Canned ACL of the website bucket"
  type        = string
  default     = "public-read"
}

variable "uploads_acl" {
  description = "Canned ACL of the uploads bucket (set per environment in terraform.tfvars)"
  type        = string
  default     = "private"
}

variable "environment" {
  type    = string
  default = "dev"
}

locals {
  prefix = "acme-${var.environment}"
}

resource "aws_s3_bucket" "website" {
  bucket = "${local.prefix}-website"
}

resource "aws_s3_bucket_acl" "website" {
  bucket = aws_s3_bucket.website.id
  acl    = var.website_acl
}

resource "aws_s3_bucket" "uploads" {
  bucket = "${local.prefix}-uploads"
}

resource "aws_s3_bucket_acl" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  acl    = var.uploads_acl
}
