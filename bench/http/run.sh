#!/bin/sh
# HTTP client benchmark: CPU time per request of mixperf's client (`mixperf httpbench`), wrk and a
# tuned libcurl multi baseline, on a plain keep-alive GET of a 1 KB file from nginx, all measured in
# this run; then the memory of 10,000 sessions that each hold a keep-alive connection and two
# cookies. nginx runs on CPU 1, the generators on CPU 0 (when the machine has two or more).
#
#   sh bench/http/run.sh [MIXPERF]       env: REPS (3), CONNS (64), REQUESTS (200000), WRK_SECONDS (5),
#                                             SESSIONS (10000)
# CPU time (user+sys from getrusage / time(1)) is what is compared, not throughput: on a shared
# machine throughput says more about the neighbours than about the client.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
MIXPERF=${1:-$here/../../build/release/mixperf}
REPS=${REPS:-3}
CONNS=${CONNS:-64}
REQUESTS=${REQUESTS:-200000}
WRK_SECONDS=${WRK_SECONDS:-5}
SESSIONS=${SESSIONS:-10000}

work=$(mktemp -d /tmp/mp-http-bench-XXXXXX)
cleanup() {
    if [ -f "$work/nginx.pid" ]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gen="" srv=""
if [ "$(nproc)" -ge 2 ]; then gen="taskset -c 0" srv="taskset -c 1"; fi

# nginx on a free port: 1 KB file, and /login answering like Django's login (two cookies).
mkdir -p "$work/www" "$work/logs"
head -c 1024 /dev/zero | tr '\0' 'x' >"$work/www/index.html"
chmod 755 "$work" "$work/www" && chmod 644 "$work/www/index.html" # nginx workers may not be root
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 12000; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  server {
    listen 127.0.0.1:$port backlog=4096;
    root $work/www;
    location = /login {
      add_header Set-Cookie "csrftoken=Yq3n8mKkV0o2pX7rT9sW4uE1iA6dF5gH; expires=Thu, 01 Jan 2037 00:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Lax";
      add_header Set-Cookie "sessionid=k2j3h4g5f6d7s8a9q0w1e2r3t4y5u6i7; expires=Thu, 01 Jan 2037 00:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax";
      return 200 "ok";
    }
  }
}
EOF
$srv nginx -c "$work/nginx.conf" -p "$work" -e "$work/logs/error.log"
url="http://127.0.0.1:$port/index.html"
for _ in 1 2 3 4 5 6 7 8 9 10; do
    curl -sf -o /dev/null "$url" && break
    sleep 0.2
done

curl_bin=""
if cc -O2 -w -o "$work/curl_baseline" "$here/curl_baseline.c" -lcurl -luv 2>/dev/null; then
    curl_bin="$work/curl_baseline"
fi

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

: >"$work/mixperf" ; : >"$work/wrk" ; : >"$work/curl"
i=0
while [ $i -lt "$REPS" ]; do
    i=$((i + 1))
    # Every run must have been all 200s, or its figure measures something else.
    $gen "$MIXPERF" httpbench -c "$CONNS" -n "$REQUESTS" "$url" >"$work/mp.out" ||
        { cat "$work/mp.out" >&2; exit 1; }
    awk '/^cpu per request/ {print $4}' "$work/mp.out" >>"$work/mixperf"
    /usr/bin/time -f 'TIME %U %S' $gen wrk -t1 -c"$CONNS" -d"${WRK_SECONDS}s" "$url" >"$work/wrk.out" 2>&1
    if grep -q -e Non-2xx -e 'Socket errors' "$work/wrk.out"; then cat "$work/wrk.out" >&2; exit 1; fi
    awk '/requests in/ {n = $1} /^TIME/ {t = $2 + $3} END {printf "%.3f\n", t / n * 1e6}' \
        "$work/wrk.out" >>"$work/wrk"
    if [ -n "$curl_bin" ]; then
        $gen "$curl_bin" "$url" "$CONNS" "$REQUESTS" >"$work/curl.out"
        awk '/^cpu per request/ {print $4}' "$work/curl.out" >>"$work/curl"
    fi
done

m=$(median <"$work/mixperf")
w=$(median <"$work/wrk")
echo "HTTP client, CPU time per request (user+sys), $CONNS keep-alive connections, GET 1 KB from nginx"
echo "  runs (us): mixperf $(tr '\n' ' ' <"$work/mixperf")| wrk $(tr '\n' ' ' <"$work/wrk")"
printf "  %-22s %8.2f us  %5.2fx wrk\n" "mixperf httpbench" "$m" "$(echo "$m $w" | awk '{print $1 / $2}')"
printf "  %-22s %8.2f us  %5.2fx wrk\n" "wrk 4.1 (-t1)" "$w" 1
if [ -n "$curl_bin" ]; then
    c=$(median <"$work/curl")
    echo "  runs (us): curl $(tr '\n' ' ' <"$work/curl")"
    printf "  %-22s %8.2f us  %5.2fx wrk\n" "libcurl multi (tuned)" "$c" "$(echo "$c $w" | awk '{print $1 / $2}')"
fi

echo "HTTP client, memory: $SESSIONS sessions, each with a keep-alive connection and 2 cookies"
$gen "$MIXPERF" httpbench -c "$SESSIONS" -n $((SESSIONS * 2)) \
    --first-url "http://127.0.0.1:$port/login" "$url" >"$work/mem.out" ||
    { cat "$work/mem.out" >&2; exit 1; }
sed 's/^/  /' "$work/mem.out"
