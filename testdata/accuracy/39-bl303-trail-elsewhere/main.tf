resource "aws_cloudwatch_log_metric_filter" "changes" {
  name           = "s3-bucket-changes"
  log_group_name = "organization-trail"
  pattern        = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"
  metric_transformation {
    name      = "S3BucketChanges"
    namespace = "CIS"
    value     = "1"
  }
}
