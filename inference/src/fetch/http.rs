//! One HTTP(S) download into a [`PartialFile`]: hyper's client with rustls (native roots),
//! redirects followed up to a limit, `Range` to resume, the registered size as a cap, and
//! connect, idle and total timeouts.

use super::{partial::PartialFile, FetchConfig};
use crate::error::FetchError;
use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, header, Request, Response, StatusCode, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::{
	client::legacy::{connect::HttpConnector, Client},
	rt::TokioExecutor,
};
use std::{future::Future, pin::Pin, sync::Arc, task::Poll, time::Duration};
use tokio::time::timeout;

/// The HTTP client of the fetcher.
pub type HttpClient = Client<TimedConnector, Full<Bytes>>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `User-Agent` of every request.
const USER_AGENT: &str = concat!("infera-node/", env!("CARGO_PKG_VERSION"));

/// A client for `http://` and `https://` (TLS by rustls with the system's root
/// certificates; if the system has none, `https://` fails with a certificate error).
pub fn client(config: &FetchConfig) -> HttpClient {
	let mut http = HttpConnector::new();
	http.enforce_http(false);
	http.set_nodelay(true);
	let provider = || Arc::new(rustls::crypto::ring::default_provider());
	let tls = HttpsConnectorBuilder::new().with_provider_and_native_roots(provider()).unwrap_or_else(|error| {
		log::warn!(target: "inference", "no root certificates ({error}): https:// downloads will fail");
		let config = rustls::ClientConfig::builder_with_provider(provider())
			.with_safe_default_protocol_versions()
			.expect("ring supports the default protocol versions; qed")
			.with_root_certificates(rustls::RootCertStore::empty())
			.with_no_client_auth();
		HttpsConnectorBuilder::new().with_tls_config(config)
	});
	let https = tls.https_or_http().enable_http1().enable_http2().wrap_connector(http);
	Client::builder(TokioExecutor::new()).build(TimedConnector { inner: https, timeout: config.connect_timeout })
}

/// The connect step (DNS, TCP, TLS) within a timeout.
#[derive(Clone)]
pub struct TimedConnector {
	inner: HttpsConnector<HttpConnector>,
	timeout: Duration,
}

/// The connect timeout fired (found in an error's source chain).
#[derive(Debug, thiserror::Error)]
#[error("connect timed out")]
struct ConnectTimedOut;

impl tower_service::Service<Uri> for TimedConnector {
	type Response = <HttpsConnector<HttpConnector> as tower_service::Service<Uri>>::Response;
	type Error = BoxError;
	type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

	fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> Poll<Result<(), BoxError>> {
		self.inner.poll_ready(cx)
	}

	fn call(&mut self, uri: Uri) -> Self::Future {
		let connecting = self.inner.call(uri);
		let limit = self.timeout;
		Box::pin(async move { timeout(limit, connecting).await.unwrap_or_else(|_| Err(Box::new(ConnectTimedOut))) })
	}
}

/// Downloads `url` into `partial` (resuming after what it holds), within the total timeout.
/// `reserve` is called once with the file's full size (or `limit` when the server does not
/// say) before the body is read, to make room in the store.
pub async fn download(
	client: &HttpClient,
	config: &FetchConfig,
	url: &str,
	partial: &mut PartialFile,
	limit: u64,
	reserve: &mut (dyn FnMut(u64) -> Result<(), FetchError> + Send),
) -> Result<(), FetchError> {
	let total = config.total_timeout;
	timeout(total, transfer(client, config, url, partial, limit, reserve))
		.await
		.unwrap_or_else(|_| Err(FetchError::TotalTimeout { url: url.into(), after: total }))
}

async fn transfer(
	client: &HttpClient,
	config: &FetchConfig,
	url: &str,
	partial: &mut PartialFile,
	limit: u64,
	reserve: &mut (dyn FnMut(u64) -> Result<(), FetchError> + Send),
) -> Result<(), FetchError> {
	let mut url = url.to_string();
	let mut redirects = 0;
	let mut restarted = false;
	let (length, response) = loop {
		let from = partial.len();
		let response = get(client, config, &url, from).await?;
		let status = response.status();
		if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
			redirects += 1;
			if redirects > config.max_redirects {
				return Err(FetchError::TooManyRedirects { url, limit: config.max_redirects });
			}
			url = redirect_target(&url, &response)?;
			log::debug!(target: "inference", "redirected to {url}");
			continue;
		}
		match (status, from) {
			(StatusCode::OK, 0) => break (content_length(&response), response),
			(StatusCode::OK, _) => {
				log::info!(target: "inference", "{url} ignores Range: downloading from the start");
				partial.restart()?;
				break (content_length(&response), response);
			},
			(StatusCode::PARTIAL_CONTENT, from) if from > 0 => match range_start(&response) {
				Some(start) if start == from => break (content_length(&response).map(|rest| from + rest), response),
				_ if !restarted => {},
				_ =>
					return Err(FetchError::Protocol {
						url,
						reason: format!("a 206 answer not starting at byte {from}"),
					}),
			},
			(StatusCode::RANGE_NOT_SATISFIABLE, from) if from > 0 && !restarted => {},
			(status, _) => return Err(FetchError::Status { url, status: status.as_u16() }),
		}
		// The partial file does not fit this server's copy: start again without a range.
		log::info!(target: "inference", "{url} cannot resume at byte {from}: downloading from the start");
		partial.restart()?;
		restarted = true;
	};
	if length.is_some_and(|length| length > limit) {
		return Err(FetchError::TooLarge { url, limit });
	}
	reserve(length.unwrap_or(limit))?;
	partial.expect(length);
	let mut body = response.into_body();
	loop {
		let frame = match timeout(config.idle_timeout, body.frame()).await {
			Err(_) => return Err(FetchError::IdleTimeout { url, after: config.idle_timeout }),
			Ok(None) => break,
			Ok(Some(Err(error))) => return Err(truncated(&url, partial.len(), length, &error)),
			Ok(Some(Ok(frame))) => frame,
		};
		if let Ok(data) = frame.into_data() {
			partial.write(&data, &url)?;
		}
	}
	match length {
		Some(length) if partial.len() < length =>
			Err(truncated(&url, partial.len(), Some(length), &"the body ended early")),
		_ => Ok(()),
	}
}

/// POSTs `body` (JSON) to `url` and returns the answer's body, at most `limit` bytes.
pub async fn post_json(
	client: &HttpClient,
	config: &FetchConfig,
	url: &str,
	body: Vec<u8>,
	limit: u64,
) -> Result<Vec<u8>, FetchError> {
	let exchange = async {
		let request = Request::post(parse(url)?)
			.header(header::USER_AGENT, USER_AGENT)
			.header(header::CONTENT_TYPE, "application/json")
			.body(Full::new(Bytes::from(body)))
			.map_err(|error| invalid(url, error))?;
		let response = send(client, config, url, request).await?;
		if response.status() != StatusCode::OK {
			return Err(FetchError::Status { url: url.into(), status: response.status().as_u16() });
		}
		let mut body = response.into_body();
		let mut answer = Vec::new();
		while let Some(frame) = timeout(config.idle_timeout, body.frame())
			.await
			.map_err(|_| FetchError::IdleTimeout { url: url.into(), after: config.idle_timeout })?
		{
			let frame = frame.map_err(|error| truncated(url, answer.len() as u64, None, &error))?;
			if let Ok(data) = frame.into_data() {
				answer.extend_from_slice(&data);
				if answer.len() as u64 > limit {
					return Err(FetchError::TooLarge { url: url.into(), limit });
				}
			}
		}
		Ok(answer)
	};
	timeout(config.total_timeout, exchange)
		.await
		.unwrap_or_else(|_| Err(FetchError::TotalTimeout { url: url.into(), after: config.total_timeout }))
}

/// GETs `url` from byte `from` on; the answer's head.
async fn get(
	client: &HttpClient,
	config: &FetchConfig,
	url: &str,
	from: u64,
) -> Result<Response<hyper::body::Incoming>, FetchError> {
	let mut request = Request::get(parse(url)?).header(header::USER_AGENT, USER_AGENT);
	if from > 0 {
		request = request.header(header::RANGE, format!("bytes={from}-"));
	}
	let request = request.body(Full::default()).map_err(|error| invalid(url, error))?;
	send(client, config, url, request).await
}

/// Sends `request`; connecting is bounded by the connect timeout (inside the connector),
/// waiting for the answer's head by the idle timeout.
async fn send(
	client: &HttpClient,
	config: &FetchConfig,
	url: &str,
	request: Request<Full<Bytes>>,
) -> Result<Response<hyper::body::Incoming>, FetchError> {
	match timeout(config.connect_timeout + config.idle_timeout, client.request(request)).await {
		Err(_) => Err(FetchError::IdleTimeout { url: url.into(), after: config.idle_timeout }),
		Ok(Err(error)) => Err(request_error(url, config, &error)),
		Ok(Ok(response)) => Ok(response),
	}
}

fn parse(url: &str) -> Result<Uri, FetchError> {
	let uri: Uri = url.parse().map_err(|error| invalid(url, error))?;
	match uri.scheme_str() {
		Some("http" | "https") => Ok(uri),
		_ => Err(FetchError::UnsupportedScheme { location: url.into() }),
	}
}

fn invalid(url: &str, error: impl std::fmt::Display) -> FetchError {
	FetchError::InvalidLocation { location: url.into(), reason: error.to_string() }
}

/// The error of a request that got no answer: a connect timeout, else unreachable (with
/// every cause, e.g. `client error (Connect): tcp connect error: Connection refused`).
fn request_error(url: &str, config: &FetchConfig, error: &(dyn std::error::Error + 'static)) -> FetchError {
	let mut reason = error.to_string();
	let mut cause = error.source();
	while let Some(error) = cause {
		if error.is::<ConnectTimedOut>() {
			return FetchError::ConnectTimeout { url: url.into(), after: config.connect_timeout };
		}
		reason = format!("{reason}: {error}");
		cause = error.source();
	}
	FetchError::Unreachable { url: url.into(), reason }
}

fn truncated(url: &str, received: u64, length: Option<u64>, error: &dyn std::fmt::Display) -> FetchError {
	log::debug!(target: "inference", "{url}: body cut: {error}");
	let expected = length.map_or_else(|| "an unknown number of".to_string(), |length| length.to_string());
	FetchError::Truncated { url: url.into(), received, expected }
}

fn content_length<B>(response: &Response<B>) -> Option<u64> {
	response.headers().get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

/// The first byte of a `Content-Range: bytes <start>-<end>/<size>` answer.
fn range_start<B>(response: &Response<B>) -> Option<u64> {
	let range = response.headers().get(header::CONTENT_RANGE)?.to_str().ok()?;
	range.trim().strip_prefix("bytes ")?.split('-').next()?.trim().parse().ok()
}

/// Where a redirect points, resolved against `url`.
fn redirect_target<B>(url: &str, response: &Response<B>) -> Result<String, FetchError> {
	let protocol = |reason: &str| FetchError::Protocol { url: url.into(), reason: reason.into() };
	let location = response
		.headers()
		.get(header::LOCATION)
		.ok_or_else(|| protocol("a redirect without a Location"))?
		.to_str()
		.map_err(|_| protocol("a Location that is not text"))?;
	let base = url::Url::parse(url).map_err(|error| invalid(url, error))?;
	let target = base.join(location).map_err(|error| invalid(location, error))?;
	match target.scheme() {
		"http" | "https" => Ok(target.into()),
		_ => Err(FetchError::UnsupportedScheme { location: target.into() }),
	}
}
