// The private dockerd the docker tests start (it lives beside the bench, which starts it too).
export * from '../../tracer/bench/private-dockerd.js';
