"""Streaming inference for charstream models on ONNX Runtime.

Imports only numpy and onnxruntime (never TensorFlow or Textual).
"""
