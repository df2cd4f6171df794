//! `serve`: checks its flags, then hands over to the HTTP server in `crate::serve`, which
//! runs until SIGTERM or SIGINT and has flushed every counted use when it returns.

use anyhow::Result;

use crate::cli::ServeArgs;
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::serve::{Config, Listen, TrustedNet};

pub fn run(ctx: &Ctx, args: &ServeArgs) -> Result<Status> {
    crate::ctx::forbid_core_dumps()?;
    let listen = Listen::parse(&args.listen).map_err(|e| usage(format!("--listen: {e}")))?;
    let metrics = match &args.metrics_listen {
        None => None,
        Some(addr) => match Listen::parse(addr) {
            Ok(Listen::Tcp(addr)) => Some(addr),
            Ok(Listen::Unix(_)) => {
                return Err(usage("--metrics-listen takes HOST:PORT, not a Unix socket"));
            }
            Err(e) => return Err(usage(format!("--metrics-listen: {e}"))),
        },
    };
    let trust = args
        .trust_proxy
        .iter()
        .map(|c| TrustedNet::parse(c).map_err(|e| usage(format!("--trust-proxy: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    if args.max_connections == 0 {
        return Err(usage("--max-connections must be at least 1"));
    }
    crate::serve::run(Config {
        db: ctx.db.clone(),
        clock: Box::new(ctx.clock_fn()),
        listen,
        metrics,
        trust,
        max_connections: args.max_connections,
        log_requests: args.log_requests,
        db_timeout: std::time::Duration::from_secs(args.db_timeout),
    })?;
    Ok(Status::Success)
}
