import { memoryBackend } from '@cachesweeper/core';
import { backendConformance } from '../src';

// The in-process backend is the reference implementation of the contract.
// It offers no fleet-wide leases: one process, whose in-process single flight is all there is.
backendConformance('memory', () => memoryBackend(), { sync: true, leases: false });
