resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "example-trail-logs"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn  = "arn:aws:iam::111122223333:role/trail"
}

resource "aws_cloudwatch_log_group" "trail" {
  name = "trail"
}

resource "aws_cloudwatch_log_metric_filter" "changes" {
  name           = "s3-bucket-changes"
  log_group_name = aws_cloudwatch_log_group.trail.name
  pattern        = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) && ($.eventName = PutBucketPolicy) && ($.eventName = PutBucketCors) && ($.eventName = PutBucketLifecycle) && ($.eventName = PutBucketReplication) && ($.eventName = DeleteBucketPolicy) && ($.eventName = DeleteBucketCors) && ($.eventName = DeleteBucketLifecycle) && ($.eventName = DeleteBucketReplication)) }"
  metric_transformation {
    name      = "S3BucketChanges"
    namespace = "CIS"
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "changes" {
  alarm_name          = "s3-bucket-changes"
  namespace           = "CIS"
  metric_name         = "S3BucketChanges"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 1
  period              = 300
  statistic           = "Sum"
}
