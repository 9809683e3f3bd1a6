//! The proxy's own answers: the route list for a host it does not know, and the 502 for a
//! branch whose stack does not answer. They name hosts, branches and ports — nothing secret.

use super::routes::Route;
use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};

/// The branch's body as it streams in, or one of the proxy's own pages: an enum, not a box, so
/// a forwarded response costs no allocation for its body.
pub type Body = Either<hyper::body::Incoming, Full<Bytes>>;

/// The `Server` header of every answer the proxy makes itself (`cfn proxy status` looks for it).
pub const SERVER_NAME: &str = "cfn-proxy";

/// 404 listing the routes: JSON when the client asks for it, else a small HTML page whose links
/// use the scheme and port the client came in on (`secure`: over TLS).
pub fn unknown_host(host: &str, routes: &[Route], wants_json: bool, secure: bool) -> Response<Body> {
    if wants_json {
        let body = serde_json::json!({ "error": format!("no route for {host}"), "routes": routes });
        return answer(StatusCode::NOT_FOUND, "application/json", body.to_string());
    }
    let scheme = if secure { "https" } else { "http" };
    let port = match host.rsplit_once(':') {
        Some((_, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => format!(":{port}"),
        _ => String::new(),
    };
    let mut rows = String::new();
    for r in routes {
        let url = format!("{scheme}://{}{port}/", escape(&r.host));
        rows.push_str(&format!(
            "<tr><td><a href=\"{url}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&r.host),
            escape(&r.project),
            escape(&r.branch),
            escape(&r.service),
            r.port
        ));
    }
    let list = if routes.is_empty() {
        "<p>No routes: no branch is registered. <code>cfn worktree add &lt;branch&gt;</code> registers one.</p>".to_string()
    } else {
        format!("<table><tr><th>host</th><th>project</th><th>branch</th><th>service</th><th>port</th></tr>\n{rows}</table>")
    };
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>cfn proxy: no route</title></head><body>\
         <h1>No route for {}</h1>{list}</body></html>\n",
        escape(host)
    );
    answer(StatusCode::NOT_FOUND, "text/html; charset=utf-8", html)
}

/// 502 naming the branch whose port did not answer, with what to do.
pub fn upstream_down(route: &Route, why: &str, wants_json: bool) -> Response<Body> {
    let hint = if route.is_main {
        "run `cfn up` in the main checkout".to_string()
    } else {
        format!("run `cfn up -b {}` (or `cfn up` in its worktree)", route.branch)
    };
    let message = format!(
        "{} of branch {} (project {}) does not answer on port {}: {why}",
        route.service, route.branch, route.project, route.port
    );
    if wants_json {
        let body = serde_json::json!({ "error": message, "hint": hint, "route": route });
        return answer(StatusCode::BAD_GATEWAY, "application/json", body.to_string());
    }
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>cfn proxy: branch down</title></head><body>\
         <h1>502: {}</h1><p>hint: {}</p></body></html>\n",
        escape(&message),
        escape(&hint)
    );
    answer(StatusCode::BAD_GATEWAY, "text/html; charset=utf-8", html)
}

/// A plain answer of the proxy's own.
pub fn answer(status: StatusCode, content_type: &'static str, body: String) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(hyper::header::SERVER, HeaderValue::from_static(SERVER_NAME));
    response
}

fn full(body: String) -> Body {
    Either::Right(Full::new(Bytes::from(body)))
}

/// HTML-escapes text (branch names are the user's, and may hold `<`).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names_are_escaped_in_the_page() {
        let route = Route {
            host: "web.x.p.localhost".into(),
            project: "p".into(),
            branch: "<script>alert(1)</script>".into(),
            is_main: false,
            service: "web".into(),
            key: "web".into(),
            port: 10080,
            upstream: "127.0.0.1:10080".parse().unwrap(),
            authority: "127.0.0.1:10080".parse().unwrap(),
        };
        let page = unknown_host("nope", std::slice::from_ref(&route), false, false);
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        let down = upstream_down(&route, "refused", false);
        assert_eq!(down.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(escape(&route.branch), "&lt;script&gt;alert(1)&lt;/script&gt;");
    }
}
