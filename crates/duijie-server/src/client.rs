//! Who sent a request. Behind a reverse proxy every connection comes from the proxy, so the
//! client's address is in `X-Forwarded-For` and its scheme in `X-Forwarded-Proto`; both are
//! believed only from the configured trusted proxies, since anyone else can write them.

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// A reverse proxy whose forwarding headers are believed: one address or a CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy(IpNet);

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        s.parse::<IpNet>()
            .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
            .map(TrustedProxy)
            .map_err(|_| format!("not an IP address or CIDR block: {s:?}"))
    }
}

/// The client of a request as far as trusted proxies vouch for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    /// The client reached a trusted proxy over HTTPS.
    pub forwarded_https: bool,
}

impl Client {
    /// From the connection's peer and the request's headers. The client address is the
    /// right-most `X-Forwarded-For` entry that is not a trusted proxy: entries to its left
    /// were written by the client itself. From an untrusted peer, the headers are ignored.
    pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[TrustedProxy]) -> Client {
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|p| p.0.contains(ip));
        if !is_trusted(&peer) {
            return Client {
                ip: peer,
                forwarded_https: false,
            };
        }
        let mut ip = peer;
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .rev()
            .flat_map(|v| v.to_str().unwrap_or_default().rsplit(','));
        for hop in hops {
            match parse_hop(hop) {
                Some(hop) => {
                    ip = hop;
                    if !is_trusted(&hop) {
                        break;
                    }
                }
                // A trusted proxy writes addresses; anything else came from further out and
                // is not believed: the last address a trusted hop reported stands.
                None => break,
            }
        }
        // The proto header is the nearest proxy's (the last value when several appended).
        let forwarded_https = headers
            .get_all("x-forwarded-proto")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
        Client {
            ip,
            forwarded_https,
        }
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// Middleware of every route: resolves the [`Client`] once for the layers after it (rate
/// limits, HSTS). Without connection info (a router driven in-process) the peer is taken
/// to be this machine.
pub async fn resolve(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    let client = Client::resolve(peer, req.headers(), &state.config.trusted_proxies);
    req.extensions_mut().insert(client);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn proxies(list: &[&str]) -> Vec<TrustedProxy> {
        list.iter().filter_map(|s| s.parse().ok()).collect()
    }

    fn headers(xff: &[&str], proto: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.append("x-forwarded-for", v);
            }
        }
        if let Some(p) = proto.and_then(|p| HeaderValue::from_str(p).ok()) {
            h.insert("x-forwarded-proto", p);
        }
        h
    }

    #[test]
    fn proxies_parse_as_addresses_or_blocks() {
        assert!("10.0.0.0/8".parse::<TrustedProxy>().is_ok());
        assert!(" 127.0.0.1 ".parse::<TrustedProxy>().is_ok());
        assert!("::1".parse::<TrustedProxy>().is_ok());
        assert!("fd00::/8".parse::<TrustedProxy>().is_ok());
        assert!("proxy.internal".parse::<TrustedProxy>().is_err());
        assert!("10.0.0.0/33".parse::<TrustedProxy>().is_err());
    }

    #[test]
    fn an_untrusted_peer_cannot_claim_another_address() {
        let h = headers(&["1.1.1.1"], Some("https"));
        let c = Client::resolve(ip("203.0.113.9"), &h, &proxies(&["10.0.0.0/8"]));
        assert_eq!(c.ip, ip("203.0.113.9"));
        assert!(!c.forwarded_https);
        let c = Client::resolve(ip("203.0.113.9"), &h, &[]);
        assert_eq!(c.ip, ip("203.0.113.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_entry_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "192.0.2.7"]);
        // The client forged the first entry; the edge proxy appended the real address, the
        // inner proxy (192.0.2.7) the edge's.
        let h = headers(&["6.6.6.6, 198.51.100.4", "10.1.2.3"], Some("https"));
        let c = Client::resolve(ip("192.0.2.7"), &h, &trusted);
        assert_eq!(c.ip, ip("198.51.100.4"));
        assert!(c.forwarded_https);
        // With ports and IPv6.
        let h = headers(&["[2001:db8::5]:4431, 10.0.0.2:80"], None);
        let c = Client::resolve(ip("10.0.0.1"), &h, &trusted);
        assert_eq!(c.ip, ip("2001:db8::5"));
        assert!(!c.forwarded_https);
        // Every hop trusted: the left-most is as far as anyone vouches.
        let h = headers(&["10.9.9.9, 10.0.0.2"], None);
        assert_eq!(
            Client::resolve(ip("10.0.0.1"), &h, &trusted).ip,
            ip("10.9.9.9")
        );
        // Garbage stops the walk at the last address a trusted hop reported.
        let h = headers(&["198.51.100.4, nonsense, 10.0.0.2"], None);
        assert_eq!(
            Client::resolve(ip("10.0.0.1"), &h, &trusted).ip,
            ip("10.0.0.2")
        );
        // No header: the proxy itself.
        assert_eq!(
            Client::resolve(ip("10.0.0.1"), &HeaderMap::new(), &trusted).ip,
            ip("10.0.0.1")
        );
    }
}
