import { memoryBackend } from '@cachesweeper/core';
import { backendConformance } from '../src';

// The in-process backend is the reference implementation of the contract.
backendConformance('memory', () => memoryBackend(), { sync: true });
