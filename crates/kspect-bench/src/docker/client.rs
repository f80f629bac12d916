//! A minimal Docker Engine API client over the daemon's unix socket.
//!
//! Hand-written because only three GET requests are needed (`/info`, `/containers/json`,
//! `/containers/{id}/json`): a full HTTP stack and async runtime would be most of the
//! binary's size for that. It speaks HTTP/1.1 with `Connection: close`, reads to EOF and
//! decodes `Content-Length` and chunked bodies.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

/// Errors talking to the daemon.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// `--docker-host` is not `unix://PATH`.
    #[error("unsupported docker host {0:?}: only unix:///path/to/docker.sock is supported")]
    UnsupportedHost(String),
    /// The socket could not be used.
    #[error("docker socket {path}: {source}")]
    Io {
        /// The socket path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The answer is not HTTP or not JSON.
    #[error("docker API {request}: {message}")]
    Protocol {
        /// The request path.
        request: String,
        /// What was wrong.
        message: String,
    },
}

/// A client for one daemon socket.
#[derive(Debug, Clone)]
pub struct DockerClient {
    socket: PathBuf,
    timeout: Duration,
}

impl DockerClient {
    /// A client for `unix:///var/run/docker.sock`-style hosts (a bare path is accepted).
    pub fn new(host: &str) -> Result<DockerClient, ClientError> {
        let path = match host.strip_prefix("unix://") {
            Some(p) => p,
            None if host.starts_with('/') => host,
            None => return Err(ClientError::UnsupportedHost(host.to_string())),
        };
        Ok(DockerClient {
            socket: PathBuf::from(path),
            timeout: Duration::from_secs(10),
        })
    }

    /// `GET path`, parsed as JSON.
    pub fn get_json(&self, path: &str) -> Result<Value, ClientError> {
        let io = |source| ClientError::Io {
            path: self.socket.display().to_string(),
            source,
        };
        let mut stream = UnixStream::connect(&self.socket).map_err(io)?;
        stream.set_read_timeout(Some(self.timeout)).map_err(io)?;
        stream.set_write_timeout(Some(self.timeout)).map_err(io)?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: kspect\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).map_err(io)?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).map_err(io)?;
        let proto = |message: String| ClientError::Protocol {
            request: path.to_string(),
            message,
        };
        let (status, body) = parse_response(&raw).map_err(proto)?;
        if !(200..300).contains(&status) {
            let text = String::from_utf8_lossy(&body);
            return Err(proto(format!("HTTP {status}: {}", text.trim())));
        }
        serde_json::from_slice(&body).map_err(|e| proto(format!("invalid JSON: {e}")))
    }

    /// `docker info`.
    pub fn info(&self) -> Result<Value, ClientError> {
        self.get_json("/info")
    }

    /// `docker inspect` of every running container.
    pub fn running_containers(&self) -> Result<Vec<Value>, ClientError> {
        let list = self.get_json("/containers/json")?;
        let mut out = Vec::new();
        for c in list.as_array().into_iter().flatten() {
            if let Some(id) = c.get("Id").and_then(Value::as_str) {
                // IDs are hex; anything else would change the request path.
                if id.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                    out.push(self.get_json(&format!("/containers/{id}/json"))?);
                }
            }
        }
        Ok(out)
    }
}

/// Splits an HTTP/1.1 response into status and decoded body.
pub fn parse_response(raw: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let body = &raw[end + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or("empty response")?;
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut chunked = false;
    let mut length: Option<usize> = None;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim();
            if k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked") {
                chunked = true;
            } else if k == "content-length" {
                length = v.parse().ok();
            }
        }
    }
    if chunked {
        return decode_chunked(body).map(|b| (status, b));
    }
    let body = match length {
        Some(n) if n <= body.len() => body[..n].to_vec(),
        Some(_) => return Err("body shorter than Content-Length".to_string()),
        None => body.to_vec(),
    };
    Ok((status, body))
}

fn decode_chunked(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunk size")?;
        let size_text = String::from_utf8_lossy(&body[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        body = &body[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 {
            return Err("truncated chunk".to_string());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn content_length_and_chunked_bodies() {
        let (s, b) = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}").unwrap();
        assert_eq!((s, b.as_slice()), (200, &b"{}"[..]));
        let (s, b) =
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n[1,\r\n2\r\n2]\r\n0\r\n\r\n").unwrap();
        assert_eq!((s, b.as_slice()), (200, &b"[1,2]"[..]));
        assert!(parse_response(b"garbage").is_err());
        assert!(DockerClient::new("tcp://1.2.3.4:2375").is_err());
    }

    proptest! {
        #[test]
        fn parsing_never_panics(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_response(&raw);
        }

        #[test]
        fn chunked_round_trip(parts in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..20), 0..5)) {
            let mut raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            let mut expect: Vec<u8> = Vec::new();
            for p in &parts {
                raw.extend(format!("{:x}\r\n", p.len()).as_bytes());
                raw.extend(p);
                raw.extend(b"\r\n");
                expect.extend(p);
            }
            raw.extend(b"0\r\n\r\n");
            let (_, body) = parse_response(&raw).unwrap();
            prop_assert_eq!(body, expect);
        }
    }
}
