//! The layering rules, checked on the source: the workspace's crates depend only on crates
//! below them, and no crate's top-level modules import each other in a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The workspace's crates, lowest first. A crate may depend (normally or to build) only on
/// crates before it; dev-dependencies may point anywhere, since tests sit above everything.
const LAYERS: &[&str] = &[
    "intellicv-core",
    "intellicv-ingest",
    "intellicv-matching",
    "intellicv-embed",
    "intellicv-ann",
    "intellicv-skills",
    "intellicv-store",
    "intellicv-search",
    "intellicv-app",
    "intellicv",
    "intellicv-testkit",
    "intellicv-lab",
];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Package {
    name: String,
    src: PathBuf,
    /// Workspace packages this one depends on, with the dependency kind (`None`: normal).
    deps: Vec<(String, Option<String>)>,
}

fn workspace_packages() -> Vec<Package> {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(repo_root())
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata json");
    let names: BTreeSet<String> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let manifest = PathBuf::from(p["manifest_path"].as_str().unwrap());
            Package {
                name: p["name"].as_str().unwrap().to_owned(),
                src: manifest.parent().unwrap().join("src"),
                deps: p["dependencies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|d| names.contains(d["name"].as_str().unwrap()))
                    .map(|d| {
                        (
                            d["name"].as_str().unwrap().to_owned(),
                            d["kind"].as_str().map(str::to_owned),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

#[test]
fn every_crate_depends_only_on_crates_below_it() {
    let layer = |name: &str| {
        LAYERS
            .iter()
            .position(|l| *l == name)
            .unwrap_or_else(|| panic!("{name} is not in LAYERS: give it its place"))
    };
    let packages = workspace_packages();
    assert_eq!(
        packages.len(),
        LAYERS.len(),
        "LAYERS names every crate once"
    );
    for package in &packages {
        for (dep, kind) in &package.deps {
            if kind.as_deref() == Some("dev") {
                continue;
            }
            assert!(
                layer(dep) < layer(&package.name),
                "{} depends on {dep}, which is not below it",
                package.name
            );
        }
    }
}

/// The scorer is pure: it reads views of postings and resumes, never the store, the
/// indexes or the models, so the same inputs always give the same score.
#[test]
fn the_scoring_crate_reads_no_store_index_or_model() {
    let packages = workspace_packages();
    let matching = packages
        .iter()
        .find(|p| p.name == "intellicv-matching")
        .expect("the matching crate");
    let deps: BTreeSet<&str> = matching
        .deps
        .iter()
        .filter(|(_, kind)| kind.as_deref() != Some("dev"))
        .map(|(name, _)| name.as_str())
        .collect();
    for forbidden in [
        "intellicv-skills",
        "intellicv-store",
        "intellicv-search",
        "intellicv-embed",
        "intellicv-ann",
    ] {
        assert!(
            !deps.contains(forbidden),
            "intellicv-matching depends on {forbidden}"
        );
    }
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`None`: the crate root, lib.rs or main.rs).
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).expect("file under src");
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    match first.as_str() {
        "lib.rs" | "main.rs" => None,
        _ => Some(first.trim_end_matches(".rs").to_owned()),
    }
}

/// The top-level modules a file names through `crate::NAME` (or `super::NAME` from a
/// file that is itself a top-level module), leaving out comments and `#[cfg(test)]` blocks:
/// what a test imports does not make a layer of the shipped code.
fn referenced_modules(file: &Path, at_top: bool) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).expect("read source");
    let mut found = BTreeSet::new();
    let mut test_attr = false;
    let mut skip_depth: Option<i64> = None;
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        if let Some(depth) = skip_depth.as_mut() {
            *depth += code.matches('{').count() as i64 - code.matches('}').count() as i64;
            if *depth <= 0 {
                skip_depth = None;
            }
            continue;
        }
        let trimmed = code.trim();
        if trimmed == "#[cfg(test)]" {
            test_attr = true;
            continue;
        }
        if test_attr && !trimmed.starts_with("#[") {
            test_attr = false;
            let depth = code.matches('{').count() as i64 - code.matches('}').count() as i64;
            if depth > 0 {
                skip_depth = Some(depth);
            }
            continue;
        }
        let mut prefixes = vec!["crate::"];
        if at_top {
            prefixes.push("super::");
        }
        for prefix in prefixes {
            let mut rest = code;
            while let Some(i) = rest.find(prefix) {
                let before = rest[..i].chars().next_back();
                rest = &rest[i + prefix.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                    continue;
                }
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

/// Test-only files: `tests.rs`, `*_tests.rs` and files under a `tests/` directory.
fn is_test_file(src: &Path, file: &Path) -> bool {
    let rel = file.strip_prefix(src).expect("file under src");
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "tests.rs"
        || name.ends_with("_tests.rs")
        || rel.components().any(|c| c.as_os_str() == "tests")
}

/// The top-level module graph of the crate whose sources are under `src`.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| top_module(src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for file in &files {
        let Some(module) = top_module(src, file) else {
            continue;
        };
        if is_test_file(src, file) {
            continue;
        }
        let rel_depth = file.strip_prefix(src).unwrap().components().count();
        let is_mod_file = file.file_name().is_some_and(|n| n == "mod.rs");
        let at_top = rel_depth == 1 || (rel_depth == 2 && is_mod_file);
        for target in referenced_modules(file, at_top) {
            if target != module && modules.contains(&target) {
                graph.get_mut(&module).unwrap().insert(target);
            }
        }
    }
    graph
}

/// Strongly connected components with more than one module (Tarjan's algorithm).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<BTreeSet<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in &s.graph[v] {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = BTreeSet::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                component.insert(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

#[test]
fn no_crate_has_a_module_cycle() {
    for package in workspace_packages() {
        let found = cycles(&module_graph(&package.src));
        assert!(
            found.is_empty(),
            "{}: these modules import each other in a cycle: {found:?}",
            package.name
        );
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_only_the_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a", "d"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    let found = cycles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0],
        ["a", "b", "c"].into_iter().map(str::to_owned).collect()
    );
}

#[test]
fn references_are_read_from_code_not_comments_or_tests() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.rs");
    std::fs::write(
        &file,
        "use crate::store::Store; // crate::api is only mentioned\nfn f() { super::search::go(); my_crate::queue::x(); }\n#[cfg(test)]\nmod tests {\n    use crate::events::Hub;\n    fn g() { if true { crate::auth::x(); } }\n}\nfn h() { crate::portal::y(); }\n",
    )
    .unwrap();
    let at_top = referenced_modules(&file, true);
    assert_eq!(
        at_top,
        ["portal", "search", "store"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    );
    let nested = referenced_modules(&file, false);
    assert_eq!(
        nested,
        ["portal", "store"].into_iter().map(str::to_owned).collect()
    );
}
