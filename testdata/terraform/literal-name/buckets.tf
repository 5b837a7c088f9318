resource "aws_s3_bucket" "media" {
  bucket = "acme-media-store"
}
