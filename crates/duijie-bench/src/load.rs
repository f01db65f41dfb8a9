//! The HTTP load client: `clients` concurrent workers over one connection pool send requests
//! from a list of queries until a request count or a time cap is reached; latency of every
//! request is kept, status codes are counted.

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

/// Runs one load against `base` (`http://127.0.0.1:PORT`).
pub async fn run(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    queries: Arc<Vec<String>>,
    spec: &LoadSpec,
) -> LoadResult {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + spec.max_time;
    let mut workers = Vec::new();
    for _ in 0..spec.clients {
        let client = client.clone();
        let next = next.clone();
        let queries = queries.clone();
        let base = base.to_string();
        let token = token.map(str::to_string);
        let spec = spec.clone();
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut codes: Vec<u16> = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= spec.max_requests || Instant::now() >= deadline || queries.is_empty() {
                    break;
                }
                let q = &queries[i % queries.len()];
                let req = match spec.endpoint {
                    Endpoint::Search => client
                        .get(format!("{base}/api/v1/achievements"))
                        .query(&[("q", q.as_str())]),
                    Endpoint::Match => client
                        .post(format!("{base}/api/v1/match"))
                        .json(&serde_json::json!({"text": q, "kind": "institution", "limit": 10})),
                };
                let req = match &token {
                    Some(t) => req.bearer_auth(t),
                    None => req,
                };
                let t0 = Instant::now();
                let code = match req.send().await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        // The body is part of the answer: read it all.
                        match resp.bytes().await {
                            Ok(_) => status,
                            Err(_) => 0,
                        }
                    }
                    Err(_) => 0,
                };
                lat.push(t0.elapsed());
                codes.push(code);
            }
            (lat, codes)
        }));
    }
    let mut lat = Vec::new();
    let mut codes = Vec::new();
    for w in workers {
        if let Ok((l, c)) = w.await {
            lat.extend(l);
            codes.extend(c);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let mut statuses: Vec<(u16, usize)> = Vec::new();
    for c in &codes {
        match statuses.iter_mut().find(|(s, _)| s == c) {
            Some((_, n)) => *n += 1,
            None => statuses.push((*c, 1)),
        }
    }
    statuses.sort();
    let ok = codes.iter().filter(|c| **c == 200).count();
    LoadResult {
        endpoint: spec.endpoint,
        clients: spec.clients,
        requests: codes.len(),
        ok,
        errors: codes.len() - ok,
        statuses,
        secs,
        rps: codes.len() as f64 / secs.max(1e-9),
        latency: Percentiles::of(lat),
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
