# Sourced by the install scripts: files of Debian source packages, fetched from the Debian mirror
# the machine's own apt configuration names (no host is written here). apt's download helper does
# the transfer (apt's proxy settings apply) and checks the SHA-256 the caller pins.

# The URI of the apt entry that serves this machine's Debian release (suite = its codename,
# component main); the security and third-party entries serve other suites.
debian_archive_uri() {
  local codename f uri
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanzas: print the URIs of those with Types deb, our suite and component main.
    uri=$(awk -v suite="$codename" '
      function flush() { if (!found && deb && has_suite && main && uris != "") { print uris; found = 1; exit } }
      /^[[:space:]]*$/ { flush(); deb = has_suite = main = 0; uris = ""; next }
      /^Types:/ { deb = ($0 ~ /[[:space:]]deb([[:space:]]|$)/) }
      /^URIs:/ { uris = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) has_suite = 1 }
      /^Components:/ { for (i = 2; i <= NF; i++) if ($i == "main") main = 1 }
      END { flush() }' "$f")
    [ -n "$uri" ] && { echo "${uri%/}"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(sed -n 's/\[[^]]*\]//; s/^[[:space:]]*deb[[:space:]]\+\([^[:space:]]\+\)[[:space:]]\+'"$codename"'[[:space:]].*\bmain\b.*/\1/p' "$f" | head -n 1)
    [ -n "$uri" ] && { echo "${uri%/}"; return; }
  done
  echo "debian-archive: no apt entry serves '$codename' main; cannot locate the Debian archive" >&2
  return 1
}

# debian_source_file POOL_PATH SHA256 DEST: pool/main/... of the archive, checked, into DEST.
debian_source_file() {
  local uri
  uri=$(debian_archive_uri)
  mkdir -p "$(dirname "$3")"
  /usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$uri/$1" "$3" "SHA256:$2" >&2
}
