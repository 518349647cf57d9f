#!/usr/bin/env bash
# Install the system packages and fonts reportgen needs, only those that are missing.
#   setup-system.sh          what building reports needs (make demo)
#   setup-system.sh --test   that, and the tools the tests drive (make test)
# Idempotent: a second run on a set-up machine does nothing and prints nothing but a line.
set -euo pipefail

with_tests=0
for arg in "$@"; do
  case "$arg" in
    --test) with_tests=1 ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup-system: unknown option $arg (use --test or nothing)" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-system: need root (or sudo) to install system packages" >&2; exit 1
  fi
fi

# Why each package is here. For building reports (make demo):
#   fonts-noto-cjk        fallback for rare characters outside the Fandol faces
#   fonts-arphic-ukai     a 楷体 face LibreOffice can substitute for 楷体_GB2312
#   libharfbuzz-subset0   fast font subsetting in WeasyPrint (20x faster than fontTools)
#   libpango-1.0-0 libpangoft2-1.0-0  WeasyPrint's text layout
#   fontconfig            font discovery (fc-list, fc-cache)
#   poppler-utils         pdftotext / pdftocairo used by `reportgen preview`;
#                         pdffonts / pdfinfo / pdftoppm used by the tests
# Only for the tests (--test, make test):
#   libreoffice-writer-nogui  a real Word client, used by the tests to open every DOCX
#   libreoffice-calc-nogui    a real spreadsheet, used by the tests to re-save workbooks
#                             as Excel and WPS do (REPORTGEN_SKIP_LIBREOFFICE=1 leaves both out)
#   chromium chromium-driver  a real browser, used by the tests to drive `reportgen preview`
PACKAGES=(fonts-noto-cjk fonts-arphic-ukai libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
          fontconfig poppler-utils)
if [ $with_tests -eq 1 ]; then
  PACKAGES+=(chromium chromium-driver)
  [ "${REPORTGEN_SKIP_LIBREOFFICE:-}" = "1" ] || PACKAGES+=(libreoffice-writer-nogui
                                                             libreoffice-calc-nogui)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

FANDOL_DIR=/usr/local/share/fonts/fandol
need_fandol=0
[ -f "$FANDOL_DIR/FandolFang-Regular.otf" ] || need_fandol=1

ALIASES_SRC="$(cd "$(dirname "$0")" && pwd)/fontconfig/64-reportgen-cjk-aliases.conf"
ALIASES_DST=/etc/fonts/conf.d/64-reportgen-cjk-aliases.conf
need_aliases=0
cmp -s "$ALIASES_SRC" "$ALIASES_DST" || need_aliases=1

if [ ${#missing[@]} -eq 0 ] && [ $need_fandol -eq 0 ] && [ $need_aliases -eq 0 ]; then
  what="system packages and fonts"
  [ $with_tests -eq 1 ] && what="$what, test tools included,"
  echo "setup-system: all $what present"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ] || [ $need_fandol -eq 1 ]; then
  $SUDO apt-get update -q
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-system: installing ${missing[*]}"
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ $need_fandol -eq 1 ]; then
  # The Fandol faces (仿宋/黑体/楷体/宋体) ship only inside texlive-lang-chinese;
  # take just the fonts out of the .deb instead of installing TeX.
  echo "setup-system: extracting Fandol fonts from texlive-lang-chinese"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download texlive-lang-chinese >/dev/null)
  dpkg-deb -x "$work"/texlive-lang-chinese_*.deb "$work/x"
  $SUDO mkdir -p "$FANDOL_DIR"
  find "$work/x" -path '*fandol*' -name '*.otf' -exec $SUDO cp {} "$FANDOL_DIR/" \;
  [ -f "$FANDOL_DIR/FandolFang-Regular.otf" ] || { echo "setup-system: Fandol fonts not found in package" >&2; exit 1; }
fi
# Word font names used in the DOCX → Fandol faces, for LibreOffice and other fontconfig users.
$SUDO install -m 644 "$ALIASES_SRC" "$ALIASES_DST"
$SUDO fc-cache -f >/dev/null
echo "setup-system: done"
