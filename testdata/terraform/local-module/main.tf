# Two buckets from one local module, with different inputs.

module "logs" {
  source     = "./modules/bucket"
  name       = "acme-access-logs"
  versioning = false
}

module "data" {
  source     = "./modules/bucket"
  name       = "acme-data"
  versioning = true
}

# The data bucket logs to the logs bucket, wired through module outputs.
resource "aws_s3_bucket_logging" "data" {
  bucket        = module.data.id
  target_bucket = module.logs.id
  target_prefix = "data/"
}
