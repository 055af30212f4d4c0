//! Background-job events pushed to admins: the event hub observes the job queue and
//! publishes every job event as `job.progress` (queued, started, each item done, retrying,
//! finished), with the job's `done` / `total` where the event carries them, and raises an
//! `alert` when an attempt fails (`warning`, it will be retried) or a job ends `dead` or
//! `failed` (`critical`).

use serde_json::json;

use super::{JobEvent, JobObserver};
use crate::events::{Audience, EventHub, kinds};

impl JobObserver for EventHub {
    fn on_event(&self, event: &JobEvent) {
        let (job_id, status, done, total) = match event {
            JobEvent::Queued { job_id, total, .. } => (*job_id, "queued", Some(0), Some(*total)),
            JobEvent::Started { job_id, .. } => (*job_id, "running", None, None),
            JobEvent::Item {
                job_id,
                done,
                total,
                ..
            } => (*job_id, "running", Some(*done), Some(*total)),
            JobEvent::Retrying { job_id, .. } => (*job_id, "retrying", None, None),
            JobEvent::Finished { job_id, status, .. } => (*job_id, status.as_str(), None, None),
        };
        let mut data = json!({ "job_id": job_id, "status": status, "event": event });
        if let (Some(done), Some(total)) = (done, total) {
            data["done"] = json!(done);
            data["total"] = json!(total);
        }
        self.publish(Audience::Admins, kinds::JOB_PROGRESS, data);
        match event {
            JobEvent::Retrying {
                job_id,
                error,
                run_after,
            } => {
                self.publish_alert(
                    "warning",
                    &format!("background job {job_id} failed an attempt and will be retried"),
                    json!({ "job_id": job_id, "error": error, "run_after": run_after }),
                );
            }
            JobEvent::Finished {
                job_id,
                kind,
                status,
            } if status == "dead" || status == "failed" => {
                self.publish_alert(
                    "critical",
                    &format!("background job {job_id} ({kind}) ended {status}"),
                    json!({ "job_id": job_id, "kind": kind, "status": status }),
                );
            }
            _ => {}
        }
    }
}
