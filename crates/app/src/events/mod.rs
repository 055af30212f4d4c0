//! Real-time events: an in-process hub that other parts of the service publish to and
//! that the WebSocket endpoints (`/api/v1/ws/admin`, `/api/v1/ws/user`) subscribe to.
//!
//! Each subscriber (one WebSocket connection) has a bounded buffer of its own.
//! Publishing never waits: an event goes into every matching subscriber's buffer with
//! `try_send`, and a subscriber whose buffer is full is a lagging client: it is dropped
//! from the hub (its connection then closes) and counted in
//! `intellicv_ws_lagging_disconnects_total`. So a client that stops reading costs the
//! others nothing.
//!
//! Audiences: [`Audience::Admins`] (every admin connection: job progress, ingest events,
//! alerts) and [`Audience::User`] (the connections of one user: their new matches and
//! application status changes).

pub mod matches;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use prometheus::{IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use intellicv_store::{JobRecord, ParseStatus, ResumeRecord};

/// Real-time settings (`[realtime]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RealtimeSettings {
    /// Events buffered per connection; a client that falls this far behind is
    /// disconnected.
    pub client_buffer: usize,
    /// How long writing one message to a client may take before the client is
    /// disconnected as too slow.
    pub send_timeout_secs: u64,
    /// How often the server pings an idle connection.
    pub ping_interval_secs: u64,
    /// A new posting is announced to a connected user when it matches one of their
    /// resumes at least this well (0-100), unless their preferences set their own
    /// threshold (`match_alert_threshold`).
    pub match_threshold: f64,
    /// How many of a user's latest parsed resumes are matched against a new posting.
    pub match_resumes_per_user: usize,
}

impl Default for RealtimeSettings {
    fn default() -> Self {
        Self {
            client_buffer: 256,
            send_timeout_secs: 10,
            ping_interval_secs: 30,
            match_threshold: 70.0,
            match_resumes_per_user: 3,
        }
    }
}

/// Who receives an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Every admin connection.
    Admins,
    /// Every connection of one user.
    User(i64),
}

impl Audience {
    fn label(self) -> &'static str {
        match self {
            Audience::Admins => "admin",
            Audience::User(_) => "user",
        }
    }
}

/// One event as sent: `{"type": "...", "at": "...", "data": {...}}`, rendered once and
/// shared by every connection it goes to.
#[derive(Debug)]
pub struct Event {
    pub kind: &'static str,
    pub json: String,
}

impl Event {
    pub fn new(kind: &'static str, at: DateTime<Utc>, data: Value) -> Self {
        let json = json!({ "type": kind, "at": at, "data": data }).to_string();
        Self { kind, json }
    }
}

/// The message types, as `type` names them.
pub mod kinds {
    pub const JOB_PROGRESS: &str = "job.progress";
    pub const DOCUMENT_STORED: &str = "document.stored";
    pub const PARSE_FAILED: &str = "document.parse_failed";
    pub const ALERT: &str = "alert";
    pub const APPLICATION_STATUS: &str = "application.status_changed";
    pub const NEW_MATCH: &str = "match.new";
    /// The first message of every connection.
    pub const CONNECTED: &str = "connected";
}

struct Subscriber {
    tx: mpsc::Sender<Arc<Event>>,
    lagged: Arc<AtomicBool>,
}

#[derive(Default)]
struct Subscribers {
    admins: HashMap<u64, Subscriber>,
    users: HashMap<i64, HashMap<u64, Subscriber>>,
}

impl Subscribers {
    fn of(&mut self, audience: Audience) -> Option<&mut HashMap<u64, Subscriber>> {
        match audience {
            Audience::Admins => Some(&mut self.admins),
            Audience::User(id) => self.users.get_mut(&id),
        }
    }

    fn remove(&mut self, audience: Audience, id: u64) {
        match audience {
            Audience::Admins => {
                self.admins.remove(&id);
            }
            Audience::User(user) => {
                if let Some(subs) = self.users.get_mut(&user) {
                    subs.remove(&id);
                    if subs.is_empty() {
                        self.users.remove(&user);
                    }
                }
            }
        }
    }
}

/// The hub's counters, registered with the application's metrics.
struct HubMetrics {
    published: IntCounterVec,
    delivered: IntCounter,
    lagging: IntCounter,
    connections: IntGaugeVec,
}

impl HubMetrics {
    fn new() -> Self {
        Self {
            published: IntCounterVec::new(
                Opts::new(
                    "ws_events_published_total",
                    "Real-time events published, per type",
                ),
                &["type"],
            )
            .expect("valid metric"),
            delivered: IntCounter::new(
                "ws_events_queued_total",
                "Real-time events queued for a connection (one per receiving connection)",
            )
            .expect("valid metric"),
            lagging: IntCounter::new(
                "ws_lagging_disconnects_total",
                "WebSocket clients disconnected because they fell behind (buffer full or a \
                 write that timed out)",
            )
            .expect("valid metric"),
            connections: IntGaugeVec::new(
                Opts::new("ws_connections", "Open WebSocket connections, per audience"),
                &["audience"],
            )
            .expect("valid metric"),
        }
    }
}

/// The event hub of one process. Cheap to share behind an `Arc`.
pub struct EventHub {
    subscribers: Mutex<Subscribers>,
    buffer: usize,
    next_id: AtomicU64,
    metrics: HubMetrics,
}

/// One connection's subscription: its events arrive on [`Subscription::recv`]. Dropping
/// it unsubscribes.
pub struct Subscription {
    hub: Arc<EventHub>,
    audience: Audience,
    id: u64,
    rx: mpsc::Receiver<Arc<Event>>,
    lagged: Arc<AtomicBool>,
}

impl Subscription {
    /// The next event; `None` once the hub dropped this subscriber (see
    /// [`Subscription::lagged`]).
    pub async fn recv(&mut self) -> Option<Arc<Event>> {
        self.rx.recv().await
    }

    /// Whether the hub dropped this subscriber for falling behind.
    pub fn lagged(&self) -> bool {
        self.lagged.load(Ordering::Relaxed)
    }

    /// Marks this subscriber as too slow (a write timed out) and counts it.
    pub fn mark_lagging(&self) {
        if !self.lagged.swap(true, Ordering::Relaxed) {
            self.hub.metrics.lagging.inc();
        }
    }

    pub fn audience(&self) -> Audience {
        self.audience
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.lock().remove(self.audience, self.id);
        self.hub
            .metrics
            .connections
            .with_label_values(&[self.audience.label()])
            .dec();
    }
}

impl EventHub {
    pub fn new(settings: &RealtimeSettings) -> Arc<Self> {
        Arc::new(Self {
            subscribers: Mutex::new(Subscribers::default()),
            buffer: settings.client_buffer.max(1),
            next_id: AtomicU64::new(1),
            metrics: HubMetrics::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Subscribers> {
        // A panic while holding the lock leaves plain maps behind: still consistent.
        self.subscribers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers the hub's counters (`ws_*`) with `registry`.
    pub fn register_metrics(&self, registry: &Registry) -> Result<(), prometheus::Error> {
        let m = &self.metrics;
        registry.register(Box::new(m.published.clone()))?;
        registry.register(Box::new(m.delivered.clone()))?;
        registry.register(Box::new(m.lagging.clone()))?;
        registry.register(Box::new(m.connections.clone()))?;
        Ok(())
    }

    /// A new subscriber of `audience` with a buffer of `client_buffer` events.
    pub fn subscribe(self: &Arc<Self>, audience: Audience) -> Subscription {
        let (tx, rx) = mpsc::channel(self.buffer);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let lagged = Arc::new(AtomicBool::new(false));
        let subscriber = Subscriber {
            tx,
            lagged: lagged.clone(),
        };
        {
            let mut subs = self.lock();
            match audience {
                Audience::Admins => {
                    subs.admins.insert(id, subscriber);
                }
                Audience::User(user) => {
                    subs.users.entry(user).or_default().insert(id, subscriber);
                }
            }
        }
        self.metrics
            .connections
            .with_label_values(&[audience.label()])
            .inc();
        Subscription {
            hub: self.clone(),
            audience,
            id,
            rx,
            lagged,
        }
    }

    /// Publishes an event to `audience` without waiting; returns how many connections
    /// it was queued for. Subscribers whose buffer is full are dropped (and counted).
    pub fn publish(&self, audience: Audience, kind: &'static str, data: Value) -> usize {
        self.metrics.published.with_label_values(&[kind]).inc();
        let mut subs = self.lock();
        let Some(targets) = subs.of(audience) else {
            return 0;
        };
        if targets.is_empty() {
            return 0;
        }
        let event = Arc::new(Event::new(kind, Utc::now(), data));
        let mut queued = 0;
        let mut dropped = Vec::new();
        for (id, sub) in targets.iter() {
            match sub.tx.try_send(event.clone()) {
                Ok(()) => queued += 1,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    if !sub.lagged.swap(true, Ordering::Relaxed) {
                        self.metrics.lagging.inc();
                    }
                    dropped.push(*id);
                }
                Err(mpsc::error::TrySendError::Closed(_)) => dropped.push(*id),
            }
        }
        for id in dropped {
            targets.remove(&id);
            tracing::info!(
                ws.audience = audience.label(),
                ws.subscriber = id,
                "dropped a lagging real-time subscriber"
            );
        }
        if let Audience::User(user) = audience
            && targets.is_empty()
        {
            subs.users.remove(&user);
        }
        self.metrics.delivered.inc_by(queued as u64);
        queued
    }

    /// Users with at least one open connection.
    pub fn connected_users(&self) -> Vec<i64> {
        let mut users: Vec<i64> = self.lock().users.keys().copied().collect();
        users.sort_unstable();
        users
    }

    /// Open connections of `audience`.
    pub fn connections(&self, audience: Audience) -> usize {
        self.lock().of(audience).map_or(0, |s| s.len())
    }

    /// Clients disconnected for falling behind since start.
    pub fn lagging_disconnects(&self) -> u64 {
        self.metrics.lagging.get()
    }

    /// Progress of a background job, for admins. The job queue calls this from its
    /// progress observer; `status` is the job's state (`queued`, `running`,
    /// `succeeded`, `failed`, ...).
    pub fn publish_job_progress(&self, job_id: i64, done: u64, total: u64, status: &str) -> usize {
        self.publish(
            Audience::Admins,
            kinds::JOB_PROGRESS,
            json!({ "job_id": job_id, "done": done, "total": total, "status": status }),
        )
    }

    /// A stored resume, for admins: `document.stored`, or `document.parse_failed` with
    /// the failure code and reason when its parse failed (it is stored all the same).
    pub fn publish_resume_stored(&self, resume: &ResumeRecord) -> usize {
        let mut data = json!({
            "collection": "resumes",
            "id": resume.id,
            "owner_id": resume.owner_id,
            "source_filename": resume.source_filename,
            "format": resume.format,
            "parse_status": resume.parse_status,
        });
        let kind = if resume.parse_status == ParseStatus::Failed {
            data["code"] = json!(resume.parse_error_code);
            data["reason"] = json!(resume.parse_error);
            kinds::PARSE_FAILED
        } else {
            kinds::DOCUMENT_STORED
        };
        self.publish(Audience::Admins, kind, data)
    }

    /// A stored posting, for admins (`document.stored`).
    pub fn publish_job_stored(&self, job: &JobRecord) -> usize {
        self.publish(
            Audience::Admins,
            kinds::DOCUMENT_STORED,
            json!({
                "collection": "jobs",
                "id": job.id,
                "title": job.title,
                "company": job.company,
                "status": job.status,
                "source": job.source,
                "created_by": job.created_by,
            }),
        )
    }

    /// Closes every connection (at shutdown): subscribers see the end of their stream
    /// without being counted as lagging.
    pub fn close_all(&self) {
        let mut subs = self.lock();
        subs.admins.clear();
        subs.users.clear();
    }

    /// An operational alert for admins (`level`: info, warning, critical).
    pub fn publish_alert(&self, level: &str, message: &str, details: Value) -> usize {
        self.publish(
            Audience::Admins,
            kinds::ALERT,
            json!({ "level": level, "message": message, "details": details }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(buffer: usize) -> Arc<EventHub> {
        EventHub::new(&RealtimeSettings {
            client_buffer: buffer,
            ..Default::default()
        })
    }

    #[tokio::test]
    async fn events_reach_only_their_audience() {
        let hub = hub(8);
        let mut admin = hub.subscribe(Audience::Admins);
        let mut alice = hub.subscribe(Audience::User(1));
        let mut bob = hub.subscribe(Audience::User(2));
        assert_eq!(
            hub.publish(Audience::User(1), kinds::NEW_MATCH, json!({"x": 1})),
            1
        );
        assert_eq!(hub.publish_alert("info", "hello", Value::Null), 1);
        let got = alice.recv().await.unwrap();
        assert_eq!(got.kind, kinds::NEW_MATCH);
        let parsed: Value = serde_json::from_str(&got.json).unwrap();
        assert_eq!(parsed["data"]["x"], 1);
        assert_eq!(admin.recv().await.unwrap().kind, kinds::ALERT);
        assert!(bob.rx.try_recv().is_err());
        assert_eq!(hub.connected_users(), vec![1, 2]);
        drop(bob);
        assert_eq!(hub.connected_users(), vec![1]);
        assert_eq!(
            hub.publish(Audience::User(2), kinds::NEW_MATCH, json!({})),
            0
        );
    }

    #[tokio::test]
    async fn a_full_buffer_drops_that_subscriber_only() {
        let hub = hub(2);
        let mut slow = hub.subscribe(Audience::Admins);
        let mut fast = hub.subscribe(Audience::Admins);
        for i in 0..5 {
            hub.publish_job_progress(1, i, 5, "running");
            assert!(fast.recv().await.is_some());
        }
        assert!(slow.lagged());
        assert!(!fast.lagged());
        assert_eq!(hub.lagging_disconnects(), 1);
        assert_eq!(hub.connections(Audience::Admins), 1);
        // The slow one keeps what was buffered, then sees the end.
        assert!(slow.recv().await.is_some());
        assert!(slow.recv().await.is_some());
        assert!(slow.recv().await.is_none());
    }
}
