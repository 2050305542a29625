#!/usr/bin/env bash
# The folders are the architecture: every #include of the sources runs the right way.
#   kernel/                 includes only kernel/
#   core/                   kernel/ and core/ (never a part: the registry, stats or a module)
#   registry/               kernel/, core/, registry/
#   stats/                  kernel/, core/, registry/, stats/
#   modules/NAME/           kernel/, core/, registry/, stats/, its own folder, and another module
#                           only through its public header modules/OTHER/OTHER.hpp
#   */domain/ (pure code)   kernel/ and its own domain/ only: no store, no I/O, no HTTP
#   modules.cpp             anything (it lists the parts for the core)
# Usage: layout_test.sh SRC_DIR. Prints each include that runs the wrong way; exit 1 if any.
set -uo pipefail
src=${1:?usage: layout_test.sh SRC_DIR}
cd "$src" || exit 2
bad=0
checked=0
while IFS= read -r file; do
  case "$file" in
    ./modules.cpp) continue ;;
  esac
  f=${file#./}
  top=${f%%/*}
  allowed=""
  case "$f" in
    kernel/*) allowed="kernel/" ;;
    core/*) allowed="kernel/ core/" ;;
    registry/domain/*) allowed="kernel/ registry/domain/" ;;
    registry/*) allowed="kernel/ core/ registry/" ;;
    stats/domain/*) allowed="kernel/ stats/domain/" ;;
    stats/*) allowed="kernel/ core/ registry/ stats/" ;;
    modules/*/domain/*)
      m=${f#modules/}; m=${m%%/*}
      allowed="kernel/ modules/$m/domain/" ;;
    modules/*)
      m=${f#modules/}; m=${m%%/*}
      allowed="kernel/ core/ registry/ stats/ modules/$m/" ;;
    *) echo "$f: a source outside the layout (kernel, core, registry, stats, modules)"; bad=1; continue ;;
  esac
  while IFS= read -r inc; do
    checked=$((checked + 1))
    ok=0
    for a in $allowed; do
      [[ "$inc" == "$a"* ]] && ok=1
    done
    # Another module, through its public header only.
    if [ $ok = 0 ] && [[ "$f" == modules/* && "$f" != */domain/* && "$inc" =~ ^modules/([a-z_]+)/([a-z_]+)\.hpp$ ]] &&
      [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]; then
      ok=1
    fi
    if [ $ok = 0 ]; then
      echo "$f includes \"$inc\": the wrong way (may include: $allowed)"
      bad=1
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(find . -name '*.cpp' -o -name '*.hpp' | sort)
[ "$checked" -gt 100 ] || { echo "only $checked includes found: is $src the source folder?"; exit 1; }
# http/ and cli/ decide nothing: who may do what is the use cases' (app/) and the role table's.
# A call that decides a right or a reach there is refused (the router's check of an upload's
# named action before its body is read is the core server's, in core/http/api.cpp).
rules='role_allows|may_[a-z_]+\(\*|can_see\(|school_reach\(|directorate_record_in_reach\(|sees_only_its_part\(|\brequire\(|found_if\('
while IFS= read -r hit; do
  case "$hit" in
    core/http/api.cpp:*route-\>action*) continue ;;
  esac
  echo "$hit: an access rule in http/ or cli/ (it belongs to a use case in app/)"
  bad=1
done < <(grep -nE "$rules" $(find . -path '*/http/*' -o -path '*/cli/*' | grep -E '\.(c|h)pp$' | sort) |
  sed 's|^\./||')
[ $bad = 0 ] && echo "layout: $checked includes, each the right way"
exit $bad
