"""Streaming inference for charstream models on ONNX Runtime.

Imports only numpy and onnxruntime (never TensorFlow or Textual).
"""
from engine.errors import EngineError
from engine.generator import Generator, Model, PrimeReport, Token, load_model
from engine.model_file import ModelInfo, read_model_info
from engine.params import GeneratorParams

__all__ = ["EngineError", "Generator", "GeneratorParams", "Model", "ModelInfo", "PrimeReport",
           "Token", "load_model", "read_model_info"]
