//! `serve`'s three endpoints: `/auth` for forward-auth proxies (200/401/403, identity
//! headers), `POST /v1/verify` (verify --json's document) and `/healthz`.

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;

use super::State;
use super::net::{client_ip, trusted_peer};
use super::pool::{Answer, Ask, Source};
use crate::scope::Scope;
use crate::token;
use crate::verdict::Code;

pub type Body = Full<Bytes>;

/// A request body for /v1/verify: a token, a few scopes and labels.
const MAX_BODY: usize = 16 * 1024;
/// A verdict takes microseconds; past this the database is not answering.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_SOURCE: usize = 200;

const X_TOKEN_ID: HeaderName = HeaderName::from_static("x-token-id");
const X_TOKEN_NAME: HeaderName = HeaderName::from_static("x-token-name");
const X_TOKEN_SCOPES: HeaderName = HeaderName::from_static("x-token-scopes");

const INVALID_TOKEN: &str = "Bearer realm=\"tokenctl\", error=\"invalid_token\"";
const INSUFFICIENT_SCOPE: &str = "Bearer realm=\"tokenctl\", error=\"insufficient_scope\"";

pub async fn handle(
    state: Arc<State>,
    peer: Option<IpAddr>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let work = async {
        match path.as_str() {
            "/auth" => auth(&state, peer, &req).await,
            "/v1/verify" if method == Method::POST => verify_json(&state, peer, req).await,
            "/v1/verify" => Logged::plain(StatusCode::METHOD_NOT_ALLOWED, "POST only\n"),
            "/healthz" => health(&state).await,
            _ => Logged::plain(StatusCode::NOT_FOUND, "not found\n"),
        }
    };
    let limit = REQUEST_TIMEOUT.max(state.db_timeout + Duration::from_secs(1));
    let logged = match tokio::time::timeout(limit, work).await {
        Ok(logged) => logged,
        Err(_) => Logged::unavailable(),
    };
    if state.log_requests {
        let id = logged.id.as_deref().unwrap_or("-");
        let outcome = logged.outcome.unwrap_or("-");
        // Only the public id and fixed words: never a header, the query or the body.
        eprintln!(
            "tokenctl serve: {} {} {} id={} outcome={} {}us",
            crate::render::escape(method.as_str()),
            crate::render::escape(&path),
            logged.response.status().as_u16(),
            crate::render::escape(id),
            outcome,
            started.elapsed().as_micros()
        );
    }
    Ok(logged.response)
}

/// A response with what the request log may say about it.
struct Logged {
    response: Response<Body>,
    id: Option<String>,
    outcome: Option<&'static str>,
}

impl Logged {
    fn plain(status: StatusCode, text: &'static str) -> Logged {
        let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
        *response.status_mut() = status;
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        Logged {
            response,
            id: None,
            outcome: None,
        }
    }

    /// Fail closed: nginx turns a 503 into 500, Caddy and Traefik pass it on.
    fn unavailable() -> Logged {
        let mut l = Logged::plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "the token database is not answering\n",
        );
        l.outcome = Some("unavailable");
        l
    }
}

async fn auth(state: &State, peer: Option<IpAddr>, req: &Request<Incoming>) -> Logged {
    let denied = |status, challenge: &'static str, outcome, id: Option<String>| {
        let mut l = Logged::plain(status, "");
        l.response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        l.outcome = Some(outcome);
        l.id = id;
        l
    };
    let mut scopes = Vec::new();
    for (key, value) in url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
        if key == "scope" {
            for s in value.split(',').filter(|s| !s.is_empty()) {
                match Scope::parse(s) {
                    Ok(scope) => scopes.push(scope),
                    // The proxy's configuration, not the client, is wrong: no token can
                    // have a scope that cannot exist.
                    Err(_) => {
                        return denied(
                            StatusCode::FORBIDDEN,
                            INSUFFICIENT_SCOPE,
                            "bad_scope",
                            None,
                        );
                    }
                }
            }
        }
    }
    let Some(secret) = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer)
    else {
        state
            .metrics
            .verified(Some(Code::Malformed), Duration::ZERO);
        return denied(StatusCode::UNAUTHORIZED, INVALID_TOKEN, "none", None);
    };
    let started = Instant::now();
    let Ok(presented) = token::parse(secret) else {
        state
            .metrics
            .verified(Some(Code::Malformed), started.elapsed());
        return denied(
            StatusCode::UNAUTHORIZED,
            INVALID_TOKEN,
            Code::Malformed.as_str(),
            None,
        );
    };
    let id = presented.id.as_str().to_owned();
    let client = client_ip(peer, req.headers(), &state.trust);
    let ask = Ask {
        presented,
        scopes,
        client_ip: client,
        source: source_of(client, None),
    };
    let answer = state.pool.verify(ask).await;
    state
        .metrics
        .verified(answer.as_ref().ok().map(|a| a.code), started.elapsed());
    let Ok(Answer { code, token, .. }) = answer else {
        let mut l = Logged::unavailable();
        l.id = Some(id);
        return l;
    };
    match (code, token) {
        (Code::Valid, Some(t)) => {
            let mut l = Logged::plain(StatusCode::OK, "");
            let h = l.response.headers_mut();
            for (name, value) in [
                (X_TOKEN_ID, t.id.as_str()),
                (X_TOKEN_NAME, t.name.as_str()),
                (X_TOKEN_SCOPES, t.scopes.join(" ").as_str()),
            ] {
                // SPEC rule 7: a value that is not plain visible text is sent empty, never
                // mangled (a name is anyone's text). Every header is sent, empty too: Caddy
                // 2.6 hands the upstream its placeholder text for one that is missing.
                h.insert(
                    name,
                    header_safe(value).unwrap_or(HeaderValue::from_static("")),
                );
            }
            l.outcome = Some(Code::Valid.as_str());
            l.id = Some(id);
            l
        }
        // SPEC: a missing scope and an address outside the token's allow-list are 403;
        // every other denial (a used-up token too) is 401.
        (Code::MissingScope | Code::IpNotAllowed, _) => denied(
            StatusCode::FORBIDDEN,
            INSUFFICIENT_SCOPE,
            code.as_str(),
            Some(id),
        ),
        (code, _) => denied(
            StatusCode::UNAUTHORIZED,
            INVALID_TOKEN,
            code.as_str(),
            Some(id),
        ),
    }
}

/// The credentials of `Bearer <token>` (the scheme is case-insensitive, RFC 7235).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

/// Visible ASCII and inner spaces only; nothing a proxy or a client could misread.
fn header_safe(value: &str) -> Option<HeaderValue> {
    let ok = !value.is_empty()
        && value == value.trim()
        && value.bytes().all(|b| (0x20..0x7f).contains(&b))
        && !token::contains_token(value);
    ok.then(|| HeaderValue::from_str(value).ok()).flatten()
}

fn source_of(client: Option<IpAddr>, label: Option<&str>) -> Source {
    match (label, client) {
        (Some(l), _) => Source::Label(l.to_owned()),
        (None, Some(ip)) => Source::Addr(ip),
        (None, None) => Source::Unknown,
    }
}

#[derive(Deserialize)]
struct VerifyBody {
    token: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    client_ip: Option<String>,
    source: Option<String>,
}

async fn verify_json(state: &State, peer: Option<IpAddr>, req: Request<Incoming>) -> Logged {
    let started = Instant::now();
    let client = client_ip(peer, req.headers(), &state.trust);
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Logged::plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the body is larger than 16 KiB\n",
            );
        }
    };
    let Ok(doc) = serde_json::from_slice::<VerifyBody>(&body) else {
        return Logged::plain(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object {\"token\", \"scopes\", \"client_ip\", \"source\"}\n",
        );
    };
    let scopes = match doc
        .scopes
        .iter()
        .map(|s| Scope::parse(s))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(s) => s,
        Err(_) => {
            return Logged::plain(
                StatusCode::BAD_REQUEST,
                "a scope is not lowercase resource:action\n",
            );
        }
    };
    if doc
        .source
        .as_deref()
        .is_some_and(|s| s.chars().count() > MAX_SOURCE || token::contains_token(s))
    {
        return Logged::plain(
            StatusCode::BAD_REQUEST,
            "source is longer than 200 characters or holds a token\n",
        );
    }
    // A trusted caller (a service checking on behalf of its own client) names the client
    // and labels the use; anyone else would choose the address its allow-list is judged
    // by and hide its own, so its client_ip and source are ignored: its own address counts.
    let speaks_for_client = trusted_peer(peer, &state.trust);
    let client = match doc.client_ip.as_deref().map(str::parse::<IpAddr>) {
        Some(Ok(ip)) if speaks_for_client => Some(ip),
        Some(Err(_)) => {
            return Logged::plain(StatusCode::BAD_REQUEST, "client_ip is not an IP address\n");
        }
        _ => client,
    };
    let label = doc.source.as_deref().filter(|_| speaks_for_client);
    let presented = match doc.token.as_deref().map(token::parse) {
        Some(Ok(p)) => p,
        _ => {
            state
                .metrics
                .verified(Some(Code::Malformed), started.elapsed());
            return json_outcome(
                Code::Malformed,
                None,
                &scopes,
                crate::time::Timestamp::default(),
                None,
            );
        }
    };
    let id = presented.id.as_str().to_owned();
    let ask = Ask {
        presented,
        scopes: scopes.clone(),
        client_ip: client,
        source: source_of(client, label),
    };
    let answer = state.pool.verify(ask).await;
    state
        .metrics
        .verified(answer.as_ref().ok().map(|a| a.code), started.elapsed());
    match answer {
        Ok(a) => json_outcome(a.code, a.token.as_deref(), &scopes, a.now, Some(id)),
        Err(_) => {
            let mut l = Logged::unavailable();
            l.id = Some(id);
            l
        }
    }
}

fn json_outcome(
    code: Code,
    token: Option<&crate::store::TokenRecord>,
    asked: &[Scope],
    now: crate::time::Timestamp,
    id: Option<String>,
) -> Logged {
    let missing = token
        .map(|t| crate::verdict::missing(t, asked))
        .unwrap_or_default();
    let doc = crate::render::verdict::outcome(code, token, &missing, now);
    let mut body = Vec::with_capacity(512);
    if crate::render::json::write(&mut body, &doc).is_err() {
        return Logged::plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot render the answer\n",
        );
    }
    let mut response = Response::new(Full::new(Bytes::from(body)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Logged {
        response,
        id,
        outcome: Some(code.as_str()),
    }
}

async fn health(state: &State) -> Logged {
    if state.pool.ping().await {
        Logged::plain(StatusCode::OK, "ok\n")
    } else {
        Logged::unavailable()
    }
}

/// The metrics listener's one page.
pub async fn metrics(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    if req.uri().path() != "/metrics" {
        return Ok(Logged::plain(StatusCode::NOT_FOUND, "not found: /metrics\n").response);
    }
    let tokens = state.pool.tokens().await;
    let scrape = state.metrics.scrape(tokens.as_deref(), (state.clock)());
    let text = crate::render::metrics::page(&scrape);
    let mut response = Response::new(Full::new(Bytes::from(text)));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}
