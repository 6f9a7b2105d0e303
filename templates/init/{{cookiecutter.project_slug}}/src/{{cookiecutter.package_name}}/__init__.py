"""{{ cookiecutter.description.strip() }}"""
