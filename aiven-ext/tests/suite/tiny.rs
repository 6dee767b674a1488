//! A tiny HTTP/1.1 server on loopback, one response per connection, that
//! records everything it receives: for the hardening tests, which need to
//! misbehave in ways httpmock does not script (any header value) and to
//! count connections of any kind (a proxy probe).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// What a connection sent: the request head and body, as text.
#[derive(Clone, Debug)]
pub struct Received {
    pub head: String,
    pub body: String,
}

impl Received {
    /// `GET /v1/… HTTP/1.1`
    pub fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }
}

pub struct Tiny {
    pub addr: std::net::SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Tiny {
    /// Answers the `n`th connection (0-based) with `respond(n, &received)`,
    /// a whole HTTP response; the connection is then closed.
    pub fn start(respond: impl Fn(usize, &Received) -> String + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let got = read_request(&mut stream);
                log.lock().unwrap().push(got.clone());
                let _ = stream.write_all(respond(n, &got).as_bytes());
                let _ = stream.flush();
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
        });
        Self { addr, received }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

/// A response with a JSON body and extra header lines.
pub fn response(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut s =
        format!("HTTP/1.1 {status}\r\nconnection: close\r\ncontent-type: application/json\r\n");
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    s
}

fn read_request(stream: &mut TcpStream) -> Received {
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break buf.len(),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&buf[head_end.min(buf.len())..]).into_owned();
    Received { head, body }
}
