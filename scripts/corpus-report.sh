#!/usr/bin/env bash
# Measures how many Compose files of a directory `berth validate` accepts, and why it refuses the rest.
#
#   scripts/corpus-report.sh [--check-compose] [--verbose] [--platform FILE] DIR
#
# Every Compose file under DIR (*.yml / *.yaml, recursively) becomes `projects/<name>/compose.yml` of a
# fresh repository with a minimal platform.yml (`domain: example.test`), and `berth validate --json -c`
# runs on it. <name> is the file's name without extension (or its directory's name for compose.yml /
# docker-compose.yml), lowercased, other characters turned into '-'.
# Companion files are copied beside it: for <app>.yml, every <app>.* in the same directory (env files,
# secrets, files it extends); for a compose.yml / docker-compose.yml, its whole directory. A dotted
# <app>.<x>.yml whose <app>.yml exists is a companion, not a Compose file of its own.
#
# The summary is the one CorpusTests prints: accepted n/N, then refusals grouped by key — `policy.<key>`
# when the message names the platform policy, else the Compose key at the refusal's file:line:col, else
# the first quoted name in the message — with the number of files each refuses.
#
#   --check-compose  first run `docker-compose config -q` on each file and leave out the ones it rejects
#                    (files whose header says "docker-compose 1.29: skip" are kept unchecked).
#   --verbose        print every refusal (file:line:col: message).
#   --platform FILE  use FILE as platform.yml instead (e.g. a policy that allows privileged, devices…,
#                    to see what is refused beyond the policy gates).
# Environment: BERTH=path/to/berth (default: build it with `swift build --product berth`).
set -euo pipefail

check_compose=false
verbose=false
dir=""
platform=""
while [[ $# -gt 0 ]]; do
    arg="$1"; shift
    case "$arg" in
        --platform) platform="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; shift ;;
        --check-compose) check_compose=true ;;
        --verbose) verbose=true ;;
        -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) dir="$arg" ;;
    esac
done
[[ -n "$dir" && -d "$dir" ]] || { echo "usage: $0 [--check-compose] [--verbose] [--platform FILE] DIR" >&2; exit 2; }
command -v jq >/dev/null || { echo "corpus-report needs jq (apt-get install -y jq)" >&2; exit 2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "${BERTH:-}" ]]; then
    (cd "$root" && swift build --product berth >&2)
    BERTH="$(cd "$root" && swift build --show-bin-path)/berth"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
keys="$work/keys"      # one line per refusal: <file-name>\t<key>
: >"$keys"

project_name() {
    local name
    name="$(printf '%s' "$1" | tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//')"
    printf '%s' "${name:0:40}" | sed -E 's/-+$//'
}

# The mapping keys from the top of a YAML file down to line:column, one per line (the key written there,
# and the keys of the blocks enclosing it, by indentation; an item `- x` belongs to the key above it).
key_path() {
    awk -v target="$2" -v column="$3" '
        function keyof(text) { if (match(text, /^["'\'']?[A-Za-z0-9_.-]+["'\'']?[ \t]*:([ \t]|$)/)) { k = substr(text, 1, RLENGTH); sub(/[ \t]*:.*$/, "", k); gsub(/["'\'']/, "", k); return k } return "" }
        { lines[NR] = $0 }
        END {
            n = 0; indent = column
            k = keyof(substr(lines[target], column)); if (k != "") path[n++] = k
            for (i = target - 1; i >= 1 && indent > 1; i--) {
                line = lines[i]; if (match(line, /[^ ]/) == 0) continue
                c = RSTART; rest = substr(line, c)
                if (rest ~ /^#/ || c >= indent) continue
                indent = c
                if (rest ~ /^-( |$)/) continue
                k = keyof(rest); if (k != "") path[n++] = k
            }
            for (j = n - 1; j >= 0; j--) print path[j]
        }' "$1"
}

# The key a refusal is about (see the header), from the repository `repo` and one JSON problem.
refusal_key() {
    local repo="$1" file="$2" line="$3" column="$4" message="$5" key="" path=()
    key="$(printf '%s' "$message" | grep -oE "'[a-z_]+(: true)?' under 'policy'" | head -n1 | sed -E "s/^'([a-z_]+).*/\1/")" || true
    if [[ -n "$key" ]]; then printf 'policy.%s' "$key"; return; fi
    if [[ -f "$repo/$file" && "$line" -ge 1 ]]; then mapfile -t path < <(key_path "$repo/$file" "$line" "$column"); fi
    local quoted
    quoted="$(printf '%s' "$message" | grep -oE "'[^']+'" | tr -d "'")" || true
    if [[ "${path[0]:-}" == services && ${#path[@]} -ge 3 ]]; then
        if [[ ${#path[@]} -ge 4 ]]; then printf '%s.%s' "${path[2]}" "${path[3]}"; else printf '%s' "${path[2]}"; fi
    elif [[ "${path[0]:-}" == services && ${#path[@]} -eq 2 ]]; then
        printf '%s' "$(printf '%s\n' "$quoted" | tail -n1)"
    elif [[ "${path[0]:-}" == x-* && ${#path[@]} -ge 2 ]]; then
        printf '%s' "${path[${#path[@]}-1]}"
    elif [[ ${#path[@]} -eq 1 ]]; then
        printf '%s (top level)' "${path[0]}"
    elif [[ ${#path[@]} -ge 2 ]]; then
        printf '%s.%s' "${path[0]}" "${path[1]}"
    else
        key="$(printf '%s\n' "$quoted" | head -n1 | sed -E 's/[: ].*//')"
        [[ -z "$key" && "$message" == "YAML syntax"* ]] && key="(YAML syntax)"
    printf '%s' "${key:-(unnamed)}"
    fi
}

total=0 accepted=0 skipped=0 crashed=0
declare -A seen=()
while IFS= read -r -d '' file; do
    base="$(basename "$file")"; stem="${base%.*}"; parent="$(dirname "$file")"
    # A companion <app>.<x>.yml of an <app>.yml beside it.
    if [[ "$stem" == *.* && ( -f "$parent/${stem%%.*}.yml" || -f "$parent/${stem%%.*}.yaml" ) ]]; then continue; fi
    whole_dir=false
    case "$base" in
        compose.yml|compose.yaml|docker-compose.yml|docker-compose.yaml) whole_dir=true; name="$(project_name "$(basename "$parent")")" ;;
        *) name="$(project_name "$stem")" ;;
    esac
    [[ -n "$name" && "$name" =~ ^[a-z0-9] ]] || name="p-$name"
    if [[ -n "${seen[$name]:-}" ]]; then name="$(project_name "$name-$(( ${#seen[@]} + 1 ))")"; fi
    seen[$name]=1
    if $check_compose && ! grep -q "docker-compose 1.29: skip" "$file"; then
        if ! (cd "$parent" && docker-compose -f "$base" config -q >/dev/null 2>&1); then
            skipped=$((skipped + 1)); continue
        fi
    fi
    repo="$work/repo-$name"; project="$repo/projects/$name"
    mkdir -p "$project"
    if [[ -n "$platform" ]]; then cp "$platform" "$repo/platform.yml"; else printf 'domain: example.test\n' >"$repo/platform.yml"; fi
    if $whole_dir; then
        cp -R "$parent/." "$project/"
        rm -f "$project/$base"
    else
        for companion in "$parent/$stem".*; do
            [[ "$companion" == "$file" || ! -f "$companion" ]] || cp "$companion" "$project/"
        done
    fi
    cp "$file" "$project/compose.yml"
    total=$((total + 1))
    set +e
    output="$("$BERTH" validate --json -c "$repo" 2>"$work/stderr")"
    status=$?
    set -e
    if ! printf '%s' "$output" | jq -e . >/dev/null 2>&1; then
        crashed=$((crashed + 1))
        echo "CRASH (exit $status): $file" >&2
        sed 's/^/    /' "$work/stderr" >&2
        printf '%s\t%s\n' "$name" "(crash)" >>"$keys"
    elif [[ "$(printf '%s' "$output" | jq -r .valid)" == "true" ]]; then
        accepted=$((accepted + 1))
    else
        while IFS=$'\t' read -r pfile pline pcolumn pmessage; do
            key="$(refusal_key "$repo" "$pfile" "$pline" "$pcolumn" "$pmessage")"
            printf '%s\t%s\n' "$name" "$key" >>"$keys"
            if $verbose; then echo "$file -> $pfile:$pline:$pcolumn: $pmessage"; fi
        done < <(printf '%s' "$output" | jq -r '.problems[] | [.file, (.line|tostring), (.column|tostring), .message] | @tsv')
    fi
    rm -rf "$repo"
done < <(find "$dir" -type f \( -name '*.yml' -o -name '*.yaml' \) -print0 | sort -z)

rate="$(awk -v a="$accepted" -v t="$total" 'BEGIN { printf "%.1f", (t ? 100 * a / t : 0) }')"
echo "corpus: accepted $accepted/$total ($rate %)"
$check_compose && echo "left out: $skipped file(s) that docker-compose config rejects"
[[ "$crashed" -gt 0 ]] && echo "crashes: $crashed"
echo "refusals by key (files, refusals):"
awk -F'\t' '
    { refusals[$2]++; if (!(($1, $2) in pair)) { pair[$1, $2] = 1; files[$2]++; names[$2] = names[$2] " " $1 } }
    END { for (k in files) printf "%d\t%s\t%d\t%s\n", files[k], k, refusals[k], names[k] }
' "$keys" | sort -t$'\t' -k1,1nr -k2,2 | awk -F'\t' '{ printf "  %s: %d files, %d refusals —%s\n", $2, $1, $3, $4 }'
[[ "$crashed" -eq 0 ]]
