data "aws_s3_bucket" "assets" {
  bucket = "company-assets"
}

resource "aws_s3_bucket_acl" "assets" {
  bucket = data.aws_s3_bucket.assets.id
  acl    = "public-read"
}
