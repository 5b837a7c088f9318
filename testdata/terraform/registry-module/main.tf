# A registry module, installed by `terraform init` under .terraform/modules.

module "assets" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "4.1.2"

  bucket = "acme-assets"
  acl    = "public-read"

  control_object_ownership = true
  object_ownership         = "ObjectWriter"

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = false
  restrict_public_buckets = true

  versioning = {
    enabled = true
  }

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "aws:kms"
      }
    }
  }

  attach_deny_insecure_transport_policy = true

  logging = {
    target_bucket = "acme-access-logs"
    target_prefix = "assets/"
  }
}

# Declared but not installed: its resources cannot be checked.
module "not_installed" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "4.1.2"
  bucket  = "acme-elsewhere"
}
