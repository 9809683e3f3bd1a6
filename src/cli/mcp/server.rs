//! The MCP server: the tools (their names, descriptions, argument schemas and output schemas,
//! see [`schemas`](super::schemas)) and the resources. Each tool resolves its branch through
//! the [`Scope`] and runs its work off the protocol loop (see [`outcome::run_blocking`]).

use super::outcome;
use super::params::*;
use super::results::*;
use super::schemas::{output, output_failing_with};
use super::scope::{Scope, Target};
use super::{bus_ops, ops};
use crate::bus::Collected;
use crate::cli::commands::status::StatusView;
use crate::cli::commands::view::WorktreeView;
use crate::context::Context;
use crate::migrate::StatusRow;
use anyhow::Result;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router};
use serde::Serialize;

#[derive(Clone)]
pub struct CfnServer {
    pub(super) scope: Scope,
    pub(super) ctx: Context,
    tool_router: ToolRouter<Self>,
}

impl CfnServer {
    pub fn new(ctx: Context, scope: Scope) -> CfnServer {
        let mut tool_router = Self::tool_router();
        if scope.is_repo() {
            tool_router.merge(Self::repo_router());
        }
        CfnServer { scope, ctx, tool_router }
    }

    /// Runs `work` on the branch the call names, off the protocol loop.
    async fn on_branch<T, F>(&self, branch: Option<String>, work: F) -> CallToolResult
    where
        T: Serialize + Send + 'static,
        F: FnOnce(Target) -> Result<T> + Send + 'static,
    {
        let (scope, ctx) = (self.scope.clone(), self.ctx.clone());
        outcome::run_blocking(move || work(scope.target(&ctx, branch.as_deref())?)).await
    }

    /// Runs async `work` on the branch the call names, off the protocol loop.
    async fn on_branch_async<T, F, Fut>(&self, branch: Option<String>, work: F) -> CallToolResult
    where
        T: Serialize + Send + 'static,
        F: FnOnce(Target) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let (scope, ctx) = (self.scope.clone(), self.ctx.clone());
        outcome::run_async(move || async move { work(scope.target(&ctx, branch.as_deref())?).await }).await
    }
}

#[tool_router(router = tool_router)]
impl CfnServer {
    #[tool(
        description = "The branch's environment variables (what `cfn env --format json` prints).",
        output_schema = output::<EnvResult>()
    )]
    async fn env(&self, Parameters(a): Parameters<BranchArg>) -> CallToolResult {
        self.on_branch(a.branch, |t| ops::env(&t)).await
    }

    #[tool(
        description = "The branch's leased host ports, by key (`cfn ports --json`).",
        output_schema = output::<WorktreeView>()
    )]
    async fn ports(&self, Parameters(a): Parameters<BranchArg>) -> CallToolResult {
        self.on_branch(a.branch, |t| ops::ports(&t)).await
    }

    #[tool(
        description = "The branch's worktree, ports and the state of each service (`cfn status --json`).",
        output_schema = output::<StatusView>()
    )]
    async fn status(&self, Parameters(a): Parameters<BranchArg>) -> CallToolResult {
        self.on_branch_async(a.branch, move |t| async move { ops::status(&t).await }).await
    }

    #[tool(
        description = "Start the branch's stack and wait until every service is ready and healthy; returns the endpoints. Refused when the repository's health commands, migrations or hooks are not trusted (`cfn trust`).",
        output_schema = output::<UpResult>()
    )]
    async fn up(&self, Parameters(a): Parameters<UpArgs>) -> CallToolResult {
        self.on_branch_async(a.branch.clone(), move |t| async move { ops::up(&t, a).await }).await
    }

    #[tool(
        description = "Stop the branch's stack. Its volumes (data) are always kept.",
        output_schema = output::<DownResult>()
    )]
    async fn down(&self, Parameters(a): Parameters<BranchArg>) -> CallToolResult {
        self.on_branch_async(a.branch, move |t| async move { ops::down(&t).await }).await
    }

    #[tool(
        description = "The last lines of each service's log (default 100, at most 1000 per service).",
        output_schema = output::<LogsResult>()
    )]
    async fn logs(&self, Parameters(a): Parameters<LogsArgs>) -> CallToolResult {
        self.on_branch_async(a.branch.clone(), move |t| async move { ops::logs(&t, a).await }).await
    }

    #[tool(
        description = "Run the branch's health checks (`cfn health --json`); a failed check is a tool error that still carries every result.",
        output_schema = output_failing_with::<HealthResult, HealthChecks>()
    )]
    async fn health(&self, Parameters(a): Parameters<BranchArg>) -> CallToolResult {
        let (scope, ctx) = (self.scope.clone(), self.ctx.clone());
        // A failed check is carried inside Ok so that its results reach the client too.
        let checked = outcome::off_the_loop(move || async move {
            let target = match scope.target(&ctx, a.branch.as_deref()) {
                Ok(target) => target,
                Err(e) => return Ok(Err((e, None))),
            };
            Ok(ops::health(&target).await)
        })
        .await;
        match checked {
            Ok(Ok(healthy)) => outcome::success(&healthy),
            Ok(Err((err, checks))) => outcome::failure_with(&err, checks),
            Err(err) => outcome::failure(&err),
        }
    }

    #[tool(
        description = "Every migration of the branch: applied, pending, changed or missing (`cfn migrate status --json`).",
        output_schema = output::<Vec<StatusRow>>()
    )]
    async fn migrate_status(&self, Parameters(a): Parameters<BranchArg>) -> CallToolResult {
        self.on_branch(a.branch, |t| ops::migrate_status(&t)).await
    }

    #[tool(
        description = "What is wrong with the set-up and how to fix it (`cfn doctor --json`); changes nothing.",
        output_schema = output::<DoctorResult>()
    )]
    async fn doctor(&self, Parameters(a): Parameters<BranchArg>) -> CallToolResult {
        self.on_branch_async(a.branch, move |t| async move { ops::doctor(&t).await }).await
    }

    #[tool(
        description = "Store a value under a key of the task, for the task's other agents.",
        output_schema = output::<ContextStored>()
    )]
    async fn context_store(&self, Parameters(a): Parameters<ContextStoreArgs>) -> CallToolResult {
        self.on_branch_async(a.branch.clone(), move |t| async move { bus_ops::context_store(&t, a).await })
            .await
    }

    #[tool(
        description = "Read a value stored under a key of the task; an error when there is none.",
        output_schema = output::<ContextValue>()
    )]
    async fn context_get(&self, Parameters(a): Parameters<ContextGetArgs>) -> CallToolResult {
        self.on_branch_async(a.branch.clone(), move |t| async move { bus_ops::context_get(&t, a).await })
            .await
    }

    #[tool(
        description = "Send a signal on a channel of the task: every waiter wakes, later waiters still see it.",
        output_schema = output::<SignalSent>()
    )]
    async fn signal_send(&self, Parameters(a): Parameters<SignalSendArgs>) -> CallToolResult {
        self.on_branch_async(a.branch.clone(), move |t| async move { bus_ops::signal_send(&t, a).await })
            .await
    }

    #[tool(
        description = "Wait for a signal on a channel of the task (default 60 s, at most 300 s) and return its payload.",
        output_schema = output::<SignalReceived>()
    )]
    async fn signal_wait(&self, Parameters(a): Parameters<SignalWaitArgs>) -> CallToolResult {
        self.on_branch_async(a.branch.clone(), move |t| async move { bus_ops::signal_wait(&t, a).await })
            .await
    }

    #[tool(
        description = "Report an agent's result for an iteration; the first report of an agent counts.",
        output_schema = output::<ReportCounted>()
    )]
    async fn agent_report(&self, Parameters(a): Parameters<AgentReportArgs>) -> CallToolResult {
        self.on_branch_async(a.branch.clone(), move |t| async move { bus_ops::agent_report(&t, a).await })
            .await
    }

    #[tool(
        description = "Wait until enough distinct agents reported (default 60 s, at most 300 s); returns the reports and whether the quorum was reached.",
        output_schema = output::<Collected>()
    )]
    async fn results_collect(&self, Parameters(a): Parameters<ResultsCollectArgs>) -> CallToolResult {
        self.on_branch_async(a.branch.clone(), move |t| async move { bus_ops::results_collect(&t, a).await })
            .await
    }

    #[tool(
        description = "Take a lock on a resource and return its token; an error if it stays held past `wait`.",
        output_schema = output::<LockHeld>()
    )]
    async fn lock_acquire(&self, Parameters(a): Parameters<LockAcquireArgs>) -> CallToolResult {
        self.on_branch_async(a.branch.clone(), move |t| async move { bus_ops::lock_acquire(&t, a).await })
            .await
    }

    #[tool(
        description = "Release a lock with the token `lock_acquire` returned.",
        output_schema = output::<LockReleased>()
    )]
    async fn lock_release(&self, Parameters(a): Parameters<LockReleaseArgs>) -> CallToolResult {
        self.on_branch_async(a.branch.clone(), move |t| async move { bus_ops::lock_release(&t, a).await })
            .await
    }
}

#[tool_handler(router = self.tool_router)]
impl rmcp::ServerHandler for CfnServer {
    fn get_info(&self) -> ServerConfig {
        let what = match &self.scope {
            Scope::Checkout { branch, .. } => format!("the environment of branch {branch}"),
            Scope::Repo { .. } => "every branch's environment of the repository".to_string(),
        };
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_resources().build())
            .with_server_info(Implementation::new("cfn", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "cfn serves {what}: its stack, ports, variables, health and the coordination bus."
            ))
    }

    async fn call_tool(
        &self,
        request: rmcp::model::CallToolRequestParams,
        context: rmcp::service::RequestContext<rmcp::RoleServer>,
    ) -> Result<rmcp::model::CallToolResponse, rmcp::ErrorData> {
        let tool = request.name.to_string();
        let call = rmcp::handler::server::tool::ToolCallContext::new(self, request, context);
        Ok(outcome::arguments_checked(&tool, self.tool_router.call(call).await?))
    }

    async fn list_resources(
        &self,
        _request: Option<rmcp::model::PaginatedRequestParams>,
        _context: rmcp::service::RequestContext<rmcp::RoleServer>,
    ) -> Result<rmcp::model::ListResourcesResult, rmcp::ErrorData> {
        super::resources::list(self).await
    }

    async fn read_resource(
        &self,
        request: rmcp::model::ReadResourceRequestParams,
        _context: rmcp::service::RequestContext<rmcp::RoleServer>,
    ) -> Result<rmcp::model::ReadResourceResponse, rmcp::ErrorData> {
        super::resources::read(self, request.uri).await.map(Into::into)
    }
}
