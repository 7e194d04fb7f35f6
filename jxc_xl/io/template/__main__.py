"""``python -m jxc_xl.io.template [DIR]`` rebuilds the committed templates."""

from jxc_xl.io.template.build import main

main()
