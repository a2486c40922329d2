#!/usr/bin/env bash
# Starts Orthanc with its DICOMweb plugin on a free loopback port, checks that /system and
# /dicom-web/studies answer, and stops it. Exit 0: Orthanc works (the DICOMweb tests then must not
# skip); 2: not installed (they skip); 1: installed but broken (CI fails here, with Orthanc's log).
# Every step has a time limit and the server is killed on any exit, so it cannot hang or outlive CI.
set -uo pipefail
bin=${MEDTL_ORTHANC_BIN:-/usr/sbin/Orthanc}
plugin=${MEDTL_ORTHANC_DICOMWEB_PLUGIN:-/usr/share/orthanc/plugins/libOrthancDicomWeb.so}
if [ ! -x "$bin" ] || [ ! -e "$plugin" ]; then
  echo "ci: Orthanc ($bin) or its DICOMweb plugin ($plugin) is missing (Debian packages orthanc, orthanc-dicomweb); the DICOMweb tests will skip" >&2
  exit 2
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/medtl-ci-orthanc.XXXXXX")
pid=
cleanup() {
  # Kill Orthanc itself (its storage is thrown away); the timeout wrapper then reaps it and exits.
  if [ -n "$pid" ]; then pkill -KILL -P "$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$dir"
}
trap cleanup EXIT
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
cat >"$dir/orthanc.json" <<JSON
{ "Name": "medtl-ci", "HttpPort": $port, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomServerEnabled": false, "StorageDirectory": "$dir/db", "IndexDirectory": "$dir/db",
  "Plugins": ["$plugin"], "DicomWeb": { "Enable": true, "Root": "/dicom-web/" } }
JSON
timeout --signal=KILL 120 "$bin" "$dir/orthanc.json" >"$dir/orthanc.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port"
# Node rather than curl: node is there whenever the tests can run at all.
probe='Promise.all(["/system", "/dicom-web/studies"].map((p) => fetch(process.argv[1] + p, { signal: AbortSignal.timeout(2000) })
  .then((r) => { if (!r.ok) throw new Error(String(r.status)); }))).then(() => process.exit(0), () => process.exit(1))'
for _ in $(seq 1 150); do
  if node -e "$probe" "$url" 2>/dev/null; then
    echo "ci: Orthanc with DICOMweb answered on $url" >&2
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
echo "ci: Orthanc is installed but did not serve $url/dicom-web/studies (it exited, or took over 30 s); its log:" >&2
tail -n 30 "$dir/orthanc.log" >&2
exit 1
