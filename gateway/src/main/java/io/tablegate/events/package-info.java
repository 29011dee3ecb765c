/**
 * Layer: events. Bucket notifications (MinIO, AWS S3, Ceph RGW) read into plain records. JDK and
 * Jackson only; which tables an event touches is decided by the service layer.
 */
package io.tablegate.events;
