//! Container starters (issue 13): for a repository without a Dockerfile, a
//! small, non-root image per stack and the minimal app of the blog post (an
//! HTTP server answering JSON, with a `/health` route), so an empty repository
//! deploys as it is.
//!
//! Each image is built from an official base pinned to a version, runs as a
//! non-root user, reads its port from `PORT` (the task definition sets it to
//! `container_port`; the Dockerfile's default is the same), and contains what
//! its health check runs ([`Starter::health_check`]: Node and Python check
//! with their own runtime, the others with BusyBox's `wget`). Nothing depends
//! on the architecture: the workflow's buildx `platforms` decides it, and the
//! Go build cross-compiles from the build platform.
//!
//! Starter files are the user's once written: `keyless generate` writes each
//! only when it is absent, and never replaces it ([`crate::BundleFile::write_once`]).

use serde::Serialize;

use crate::config::ValidConfig;

/// The stacks Keyless has a starter for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Starter {
    /// Node.js, no dependencies: `server.js` and `package.json`.
    Node,
    /// Python, standard library only: `app.py`.
    Python,
    /// Go, standard library only: `main.go` and `go.mod`, built in a first stage.
    Go,
    /// A static site served by BusyBox's `httpd`: `public/index.html`.
    Static,
}

/// One file of a starter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarterFile {
    /// Path from the repository's root.
    pub path: &'static str,
    /// Its text.
    pub text: String,
}

/// The base images, pinned (the Dockerfiles name them; tests read them).
pub const NODE_IMAGE: &str = "node:22.12.0-alpine3.21";
/// Python's base image.
pub const PYTHON_IMAGE: &str = "python:3.13.1-alpine3.21";
/// Go's build image (the binary runs on [`BUSYBOX_IMAGE`]).
pub const GO_IMAGE: &str = "golang:1.23.4-alpine3.21";
/// The run image of Go and of the static site.
pub const BUSYBOX_IMAGE: &str = "busybox:1.37.0";

/// The user id the images run as: `nobody` on Alpine and BusyBox.
const NON_ROOT_USER: &str = "65534";

impl Starter {
    /// Every starter, in the order the wizard offers them.
    pub const ALL: [Starter; 4] = [Starter::Node, Starter::Python, Starter::Go, Starter::Static];

    /// The `keyless.json` value.
    pub fn key(self) -> &'static str {
        match self {
            Starter::Node => "node",
            Starter::Python => "python",
            Starter::Go => "go",
            Starter::Static => "static",
        }
    }

    /// The starter named by `text` (any case; empty is none).
    pub fn parse(text: &str) -> Result<Option<Starter>, String> {
        let text = text.trim().to_ascii_lowercase();
        if text.is_empty() || text == "none" {
            return Ok(None);
        }
        Starter::ALL
            .into_iter()
            .find(|s| s.key() == text || (text == "nodejs" && *s == Starter::Node))
            .map(Some)
            .ok_or_else(|| {
                "Choose node, python, go or static, or leave it empty when the repository has its own Dockerfile".to_string()
            })
    }

    /// The path the health check asks for.
    pub fn health_path(self) -> &'static str {
        match self {
            Starter::Static => "/",
            _ => "/health",
        }
    }

    /// A health check command the image can run, for the container's port.
    pub fn health_check(self, port: u16) -> String {
        let url = format!("http://localhost:{port}{}", self.health_path());
        match self {
            Starter::Node => format!(
                "node -e \"fetch('{url}').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))\""
            ),
            Starter::Python => format!(
                "python -c \"import urllib.request; urllib.request.urlopen('{url}', timeout=4)\""
            ),
            Starter::Go | Starter::Static => format!("wget -q -O /dev/null {url} || exit 1"),
        }
    }
}

/// The header of a starter file, in the file's comment syntax: what it is and
/// that it is the user's.
fn header(comment: &str, path: &str, config: &ValidConfig, starter: Starter) -> String {
    format!(
        "{comment} {path}: the {} container, from Keyless's {} starter.\n{comment} Yours to edit: keyless generate writes it only when it is missing.\n",
        config.app_name,
        starter.key()
    )
}

/// What no image needs: the repository's tooling and the deploy's own files.
fn dockerignore(extra: &[&str]) -> String {
    let mut lines = vec![
        ".git",
        ".github",
        ".aws",
        "infra",
        "keyless.json",
        "DEPLOY.md",
        "Dockerfile",
        ".dockerignore",
    ];
    lines.extend_from_slice(extra);
    lines.join("\n") + "\n"
}

#[derive(Serialize)]
struct PackageJson<'a> {
    name: &'a str,
    version: &'static str,
    private: bool,
    description: &'static str,
    main: &'static str,
    scripts: Scripts,
    engines: Engines,
}

#[derive(Serialize)]
struct Scripts {
    start: &'static str,
}

#[derive(Serialize)]
struct Engines {
    node: &'static str,
}

/// The starter's files for `config`, Dockerfile first; none without a starter.
pub fn files(config: &ValidConfig) -> Vec<StarterFile> {
    let Some(starter) = config.starter else {
        return Vec::new();
    };
    let port = config.container_port;
    let app = &config.app_name;
    let file = |path: &'static str, text: String| StarterFile { path, text };
    let dockerfile = |body: String| {
        file(
            "Dockerfile",
            header("#", "Dockerfile", config, starter) + &body,
        )
    };
    match starter {
        Starter::Node => vec![
            dockerfile(format!(
                "FROM {NODE_IMAGE}\n\
                 ENV NODE_ENV=production PORT={port}\n\
                 WORKDIR /app\n\
                 COPY package*.json ./\n\
                 RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force\n\
                 COPY . .\n\
                 USER 1000\n\
                 EXPOSE {port}\n\
                 CMD [\"node\", \"server.js\"]\n"
            )),
            file(".dockerignore", dockerignore(&["node_modules", "npm-debug.log"])),
            file(
                "server.js",
                header("//", "server.js", config, starter)
                    + &format!(
                        "const http = require('node:http');\n\
                         \n\
                         const port = Number(process.env.PORT || {port});\n\
                         \n\
                         const server = http.createServer((req, res) => {{\n\
                         \x20 const body = req.url === '/health'\n\
                         \x20   ? {{ status: 'ok' }}\n\
                         \x20   : {{ app: '{app}', message: 'Hello from AWS ECS Fargate', path: req.url }};\n\
                         \x20 res.writeHead(200, {{ 'content-type': 'application/json' }});\n\
                         \x20 res.end(JSON.stringify(body));\n\
                         }});\n\
                         \n\
                         server.listen(port, () => console.log(`{app} listening on port ${{port}}`));\n\
                         // ECS sends SIGTERM before stopping a task: finish what is in flight.\n\
                         process.on('SIGTERM', () => server.close(() => process.exit(0)));\n"
                    ),
            ),
            file(
                "package.json",
                crate::bundle::pretty_json(&PackageJson {
                    name: app,
                    version: "1.0.0",
                    private: true,
                    description: "The minimal app of Keyless's Node.js starter",
                    main: "server.js",
                    scripts: Scripts {
                        start: "node server.js",
                    },
                    engines: Engines { node: ">=20" },
                }),
            ),
        ],
        Starter::Python => vec![
            dockerfile(format!(
                "FROM {PYTHON_IMAGE}\n\
                 ENV PYTHONUNBUFFERED=1 PORT={port}\n\
                 WORKDIR /app\n\
                 COPY app.py ./\n\
                 USER {NON_ROOT_USER}\n\
                 EXPOSE {port}\n\
                 CMD [\"python\", \"app.py\"]\n"
            )),
            file(".dockerignore", dockerignore(&["__pycache__", "*.pyc", ".venv"])),
            file(
                "app.py",
                header("#", "app.py", config, starter)
                    + &format!(
                        "import json\n\
                         import os\n\
                         import signal\n\
                         import sys\n\
                         from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer\n\
                         \n\
                         PORT = int(os.environ.get(\"PORT\", \"{port}\"))\n\
                         \n\
                         \n\
                         class Handler(BaseHTTPRequestHandler):\n\
                         \x20   def do_GET(self):\n\
                         \x20       if self.path == \"/health\":\n\
                         \x20           body = {{\"status\": \"ok\"}}\n\
                         \x20       else:\n\
                         \x20           body = {{\"app\": \"{app}\", \"message\": \"Hello from AWS ECS Fargate\", \"path\": self.path}}\n\
                         \x20       data = json.dumps(body).encode()\n\
                         \x20       self.send_response(200)\n\
                         \x20       self.send_header(\"content-type\", \"application/json\")\n\
                         \x20       self.send_header(\"content-length\", str(len(data)))\n\
                         \x20       self.end_headers()\n\
                         \x20       self.wfile.write(data)\n\
                         \n\
                         \n\
                         # ECS sends SIGTERM before stopping a task.\n\
                         signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n\
                         print(f\"{app} listening on port {{PORT}}\", flush=True)\n\
                         ThreadingHTTPServer((\"\", PORT), Handler).serve_forever()\n"
                    ),
            ),
        ],
        Starter::Go => vec![
            dockerfile(format!(
                "# The build runs on the builder's own platform and cross-compiles for the\n\
                 # target one (buildx sets TARGETOS and TARGETARCH): no emulation.\n\
                 FROM --platform=$BUILDPLATFORM {GO_IMAGE} AS build\n\
                 ARG TARGETOS\n\
                 ARG TARGETARCH\n\
                 WORKDIR /src\n\
                 COPY go.mod ./\n\
                 COPY *.go ./\n\
                 RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags=\"-s -w\" -o /out/app .\n\
                 \n\
                 FROM {BUSYBOX_IMAGE}\n\
                 COPY --from=build /out/app /usr/local/bin/app\n\
                 ENV PORT={port}\n\
                 USER {NON_ROOT_USER}\n\
                 EXPOSE {port}\n\
                 CMD [\"/usr/local/bin/app\"]\n"
            )),
            file(".dockerignore", dockerignore(&[])),
            file("go.mod", format!("module {app}\n\ngo 1.23\n")),
            file(
                "main.go",
                header("//", "main.go", config, starter)
                    + &format!(
                        "package main\n\
                         \n\
                         import (\n\
                         \t\"context\"\n\
                         \t\"encoding/json\"\n\
                         \t\"log\"\n\
                         \t\"net/http\"\n\
                         \t\"os\"\n\
                         \t\"os/signal\"\n\
                         \t\"syscall\"\n\
                         )\n\
                         \n\
                         func main() {{\n\
                         \tport := os.Getenv(\"PORT\")\n\
                         \tif port == \"\" {{\n\
                         \t\tport = \"{port}\"\n\
                         \t}}\n\
                         \thttp.HandleFunc(\"/\", func(w http.ResponseWriter, r *http.Request) {{\n\
                         \t\tbody := map[string]string{{\"app\": \"{app}\", \"message\": \"Hello from AWS ECS Fargate\", \"path\": r.URL.Path}}\n\
                         \t\tif r.URL.Path == \"/health\" {{\n\
                         \t\t\tbody = map[string]string{{\"status\": \"ok\"}}\n\
                         \t\t}}\n\
                         \t\tw.Header().Set(\"content-type\", \"application/json\")\n\
                         \t\t_ = json.NewEncoder(w).Encode(body)\n\
                         \t}})\n\
                         \tserver := &http.Server{{Addr: \":\" + port}}\n\
                         \t// ECS sends SIGTERM before stopping a task: finish what is in flight.\n\
                         \tctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)\n\
                         \tdefer stop()\n\
                         \tgo func() {{\n\
                         \t\t<-ctx.Done()\n\
                         \t\t_ = server.Shutdown(context.Background())\n\
                         \t}}()\n\
                         \tlog.Printf(\"{app} listening on port %s\", port)\n\
                         \tif err := server.ListenAndServe(); err != http.ErrServerClosed {{\n\
                         \t\tlog.Fatal(err)\n\
                         \t}}\n\
                         }}\n"
                    ),
            ),
        ],
        Starter::Static => vec![
            dockerfile(format!(
                "FROM {BUSYBOX_IMAGE}\n\
                 COPY public/ /www/\n\
                 ENV PORT={port}\n\
                 USER {NON_ROOT_USER}\n\
                 EXPOSE {port}\n\
                 # BusyBox httpd in the foreground, logging each request to the task's log.\n\
                 CMD [\"sh\", \"-c\", \"exec httpd -f -v -p \\\"$PORT\\\" -h /www\"]\n"
            )),
            file(".dockerignore", dockerignore(&[])),
            file(
                "public/index.html",
                format!(
                    "<!doctype html>\n\
                     <!-- public/index.html: the {app} site, from Keyless's static starter. Yours to edit: keyless generate writes it only when it is missing. -->\n\
                     <html lang=\"en\">\n\
                     <head>\n\
                     \x20 <meta charset=\"utf-8\">\n\
                     \x20 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
                     \x20 <title>{app}</title>\n\
                     </head>\n\
                     <body>\n\
                     \x20 <h1>{app}</h1>\n\
                     \x20 <p>Hello from AWS ECS Fargate.</p>\n\
                     </body>\n\
                     </html>\n"
                ),
            ),
        ],
    }
}
