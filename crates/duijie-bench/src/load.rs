//! The HTTP load client: `clients` closed-loop workers over one connection pool run steps (one
//! request each) until a step count or a time cap is reached; latency of every step is kept,
//! status codes are counted. [`run`] loads one endpoint from a list of queries; the mixed
//! workload (`crate::mixed`) drives its own steps through the same [`drive`].

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which endpoint the load goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET /api/v1/achievements?q=…` (search box: filters, facets, highlights).
    Search,
    /// `POST /api/v1/match` (ranking institutions for a demand text).
    Match,
}

impl Endpoint {
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Search => "search",
            Endpoint::Match => "match",
        }
    }
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Percentiles {
    pub n: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Percentiles {
    pub fn of(mut samples: Vec<Duration>) -> Percentiles {
        if samples.is_empty() {
            return Percentiles::default();
        }
        samples.sort();
        let at = |p: f64| {
            // Nearest rank.
            let rank = (p * samples.len() as f64).ceil().max(1.0) as usize;
            samples[rank.min(samples.len()) - 1].as_secs_f64() * 1000.0
        };
        let sum: f64 = samples.iter().map(Duration::as_secs_f64).sum();
        Percentiles {
            n: samples.len(),
            p50_ms: at(0.50),
            p95_ms: at(0.95),
            p99_ms: at(0.99),
            max_ms: at(1.0),
            mean_ms: sum * 1000.0 / samples.len() as f64,
        }
    }
}

/// One load run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadResult {
    pub endpoint: Endpoint,
    pub clients: usize,
    pub requests: usize,
    pub ok: usize,
    /// Non-200 answers and transport errors.
    pub errors: usize,
    pub statuses: Vec<(u16, usize)>,
    pub secs: f64,
    pub rps: f64,
    /// Over every request, successful or not.
    pub latency: Percentiles,
}

#[derive(Debug, Clone)]
pub struct LoadSpec {
    pub endpoint: Endpoint,
    pub clients: usize,
    pub max_requests: usize,
    pub max_time: Duration,
}

/// What one step of a load worker did: the operation it sent and the HTTP status it got
/// (0 for a transport error or a body that could not be read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub op: &'static str,
    pub status: u16,
}

/// One timed step.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub op: &'static str,
    pub status: u16,
    pub latency: Duration,
}

/// Closed-loop workers (no think time): `clients` workers call `step(i)` for `i = 0, 1, ...`
/// (shared) until `max_requests` steps were started or `max_time` has passed, timing each
/// step. Returns every sample and the wall time in seconds.
pub async fn drive<F, Fut>(
    clients: usize,
    max_requests: usize,
    max_time: Duration,
    step: F,
) -> (Vec<Sample>, f64)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Outcome> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let step = Arc::new(step);
    let start = Instant::now();
    let deadline = start + max_time;
    let mut workers = Vec::new();
    for _ in 0..clients {
        let next = next.clone();
        let step = step.clone();
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= max_requests || Instant::now() >= deadline {
                    break;
                }
                let t0 = Instant::now();
                let outcome = step(i).await;
                samples.push(Sample {
                    op: outcome.op,
                    status: outcome.status,
                    latency: t0.elapsed(),
                });
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for w in workers {
        if let Ok(s) = w.await {
            samples.extend(s);
        }
    }
    (samples, start.elapsed().as_secs_f64())
}

/// Sends a request with an optional bearer token and reads the whole body: the status and the
/// body (status 0 when the request or the body failed).
pub async fn send(req: reqwest::RequestBuilder, token: Option<&str>) -> (u16, Vec<u8>) {
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            match resp.bytes().await {
                Ok(body) => (status, body.to_vec()),
                Err(_) => (0, Vec::new()),
            }
        }
        Err(_) => (0, Vec::new()),
    }
}

/// Status codes and their counts, sorted by code.
pub fn status_counts(samples: &[Sample]) -> Vec<(u16, usize)> {
    let mut statuses: Vec<(u16, usize)> = Vec::new();
    for s in samples {
        match statuses.iter_mut().find(|(c, _)| *c == s.status) {
            Some((_, n)) => *n += 1,
            None => statuses.push((s.status, 1)),
        }
    }
    statuses.sort();
    statuses
}

/// Runs one load against `base` (`http://127.0.0.1:PORT`).
pub async fn run(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    queries: Arc<Vec<String>>,
    spec: &LoadSpec,
) -> LoadResult {
    let max_requests = if queries.is_empty() {
        0
    } else {
        spec.max_requests
    };
    let client = client.clone();
    let base = base.to_string();
    let token: Option<Arc<str>> = token.map(Arc::from);
    let endpoint = spec.endpoint;
    let step = move |i: usize| {
        let q = queries[i % queries.len()].clone();
        let req = match endpoint {
            Endpoint::Search => client
                .get(format!("{base}/api/v1/achievements"))
                .query(&[("q", q.as_str())]),
            Endpoint::Match => client
                .post(format!("{base}/api/v1/match"))
                .json(&serde_json::json!({"text": q, "kind": "institution", "limit": 10})),
        };
        let token = token.clone();
        async move {
            let (status, _) = send(req, token.as_deref()).await;
            Outcome {
                op: endpoint.as_str(),
                status,
            }
        }
    };
    let (samples, secs) = drive(spec.clients, max_requests, spec.max_time, step).await;
    let statuses = status_counts(&samples);
    let ok = samples.iter().filter(|s| s.status == 200).count();
    LoadResult {
        endpoint: spec.endpoint,
        clients: spec.clients,
        requests: samples.len(),
        ok,
        errors: samples.len() - ok,
        statuses,
        secs,
        rps: samples.len() as f64 / secs.max(1e-9),
        latency: Percentiles::of(samples.iter().map(|s| s.latency).collect()),
    }
}

/// A client for loopback load: no proxy, a pool wide enough for every worker.
pub fn client(max_clients: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(max_clients.max(1))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let p = Percentiles::of((1..=100).map(Duration::from_millis).collect());
        assert_eq!(p.p50_ms.round(), 50.0);
        assert_eq!(p.p95_ms.round(), 95.0);
        assert_eq!(p.p99_ms.round(), 99.0);
        assert_eq!(p.max_ms.round(), 100.0);
    }
}
